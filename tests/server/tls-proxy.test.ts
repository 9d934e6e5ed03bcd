import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, freshProject, json } from '../cli/run-cli.js';
import { exited, startBaton } from './spawn.js';

const SERVING = /Baton is serving (https?:\/\/\S+)/;
const children: ChildProcess[] = [];
const projects: { cleanup: () => void }[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGTERM');
    await exited(child);
  }
  for (const p of projects.splice(0)) p.cleanup();
});

function project(): string {
  const p = freshProject();
  projects.push(p);
  return p.dir;
}

async function serve(dir: string, args: string[]): Promise<string> {
  const started = await startBaton(dir, ['serve', '--port', '0', ...args], SERVING);
  children.push(started.child);
  return started.match[1] as string;
}

/** A GET over HTTPS that trusts only `ca`; resolves with the status and body, or rejects with the TLS error. */
function getTls(url: string, ca: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('baton serve --tls-cert/--tls-key: HTTPS', () => {
  let certDir: string;
  beforeAll(() => {
    // Kept for the whole describe: not one of the projects removed after each test.
    certDir = freshProject().dir;
    // A self-signed certificate for 127.0.0.1, made for this test.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  });

  it('serves the API and the dashboard over HTTPS; clients that trust the certificate work, others are refused', async () => {
    const dir = project();
    const cert = join(certDir, 'cert.pem');
    const url = await serve(dir, ['--tls-cert', cert, '--tls-key', join(certDir, 'key.pem')]);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const health = await getTls(`${url}/api/v1/health`, readFileSync(cert));
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true });
    const page = await getTls(`${url}/`, readFileSync(cert));
    expect(page.body).toContain('<div id="app">');
    await expect(getTls(`${url}/api/v1/health`, undefined)).rejects.toThrow(/self[- ]signed|certificate/i);

    // The CLI against the server: it trusts the certificate through Node's NODE_EXTRA_CA_CERTS.
    const added = json<{ id: number }>(cli(dir, ['add', 'Over TLS', '--server', url, '--json'], { NODE_EXTRA_CA_CERTS: cert }));
    expect(added.id).toBe(1);
    const refused = cli(dir, ['status', '--server', url, '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted .*NODE_EXTRA_CA_CERTS/);
  });

  it('refuses a certificate without its key, or a file that is missing or not PEM, before listening (exit 2)', () => {
    const dir = project();
    const cert = join(certDir, 'cert.pem');
    const lone = cli(dir, ['serve', '--port', '0', '--tls-cert', cert]);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/needs both a certificate and its key/);
    const missing = cli(dir, ['serve', '--port', '0', '--tls-cert', cert, '--tls-key', join(dir, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the TLS key .*nope\.pem: ENOENT/);
    writeFileSync(join(dir, 'cert.txt'), 'not a certificate\n');
    const notPem = cli(dir, ['serve', '--port', '0', '--tls-cert', join(dir, 'cert.txt'), '--tls-key', cert]);
    expect(notPem.code).toBe(2);
    expect(notPem.stderr).toMatch(/is not a PEM file/);
  });
});

describe('baton serve --trust-proxy: the client address behind a proxy', () => {
  /** Presents a wrong key as if from `client`, through a proxy on loopback that says so in X-Forwarded-For. */
  const wrongKeyFrom = async (url: string, client: string) =>
    (await fetch(`${url}/api/v1/tasks`, { headers: { authorization: 'Bearer baton_wrong', 'x-forwarded-for': client } })).status;

  it('locks out the address the trusted proxy names, not every client behind it', async () => {
    const dir = project();
    cli(dir, ['keys', 'create', '--role', 'admin']);
    const url = await serve(dir, ['--auth-failures', '2', '--trust-proxy', '127.0.0.1']);
    expect([await wrongKeyFrom(url, '203.0.113.7'), await wrongKeyFrom(url, '203.0.113.7')]).toEqual([401, 401]);
    expect(await wrongKeyFrom(url, '203.0.113.7')).toBe(429);
    // Another client behind the same proxy is not punished for the first one's guesses.
    expect(await wrongKeyFrom(url, '198.51.100.2')).toBe(401);
  });

  it('without it, X-Forwarded-For is ignored: a client cannot dodge the lockout by naming another address', async () => {
    const dir = project();
    cli(dir, ['keys', 'create', '--role', 'admin']);
    const url = await serve(dir, ['--auth-failures', '2']);
    await wrongKeyFrom(url, '203.0.113.7');
    await wrongKeyFrom(url, '203.0.113.8');
    expect(await wrongKeyFrom(url, '203.0.113.9')).toBe(429);
  });

  it('refuses a --trust-proxy that is not addresses, CIDR ranges or "all" (exit 2)', () => {
    const dir = project();
    const bad = cli(dir, ['serve', '--port', '0', '--trust-proxy', 'proxy.example']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/trustProxy: "proxy\.example" is not an address or CIDR range/);
  });
});
