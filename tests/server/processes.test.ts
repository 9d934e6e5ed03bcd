import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { BIN, cli, freshProject, json } from '../cli/run-cli.js';
import { childEnv } from '../helpers/sealed.js';
import { exited, startBaton } from './spawn.js';

const SERVING = /Baton is serving (http:\/\/\S+)/;

let project: ReturnType<typeof freshProject>;
beforeAll(() => {
  project = freshProject();
});
afterAll(() => project.cleanup());

describe('baton serve and keys', () => {
  it('refuses a public address without keys, and manages keys', () => {
    const refused = cli(project.dir, ['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without API keys/);
    const created = json<{ key: string; id: string; role: string }>(
      cli(project.dir, ['keys', 'create', '--role', 'viewer', '--json']),
    );
    expect(created.key).toMatch(/^baton_/);
    expect(cli(project.dir, ['keys', 'create', '--role', 'worker']).code).toBe(2);
    const listed = json<{ id: string; hash?: string }[]>(cli(project.dir, ['keys', 'list', '--json']));
    expect(listed.map((k) => k.id)).toContain(created.id);
    expect(listed.every((k) => k.hash === undefined)).toBe(true);
    expect(cli(project.dir, ['keys', 'revoke', created.id]).code).toBe(0);
    expect(cli(project.dir, ['keys', 'revoke', created.id]).code).toBe(3);
  });
});

describe('baton serve: who may reach it, and set commands', () => {
  it('takes --allowed-hosts and server.allowCommands; keys create takes --capabilities', async () => {
    const own = freshProject();
    try {
      const made = json<{ capabilities: string[] }>(
        cli(own.dir, ['keys', 'create', '--role', 'admin', '--capabilities', 'commands', '--json']),
      );
      expect(made.capabilities).toEqual(['commands']);
      expect(cli(own.dir, ['keys', 'create', '--role', 'viewer', '--capabilities', 'commands']).code).toBe(2);
      // Open mode again, with the one key revoked.
      const id = json<{ id: string }[]>(cli(own.dir, ['keys', 'list', '--json']))[0]?.id as string;
      expect(cli(own.dir, ['keys', 'revoke', id]).code).toBe(0);
      writeFileSync(join(own.dir, '.baton', 'config.yaml'), 'server:\n  allowCommands: true\n');
      const server = await startBaton(own.dir, ['serve', '--port', '0', '--allowed-hosts', 'baton.test,ci.test:9'], SERVING);
      try {
        // Said right after the address, which is what startBaton waited for.
        for (let i = 0; i < 100 && !server.output().includes('can run code'); i++) await new Promise((r) => setTimeout(r, 50));
        expect(server.output()).toContain('can run code on every worker');
        const port = Number(new URL(server.match[1] as string).port);
        const as = (host: string) => getWith(port, host, '/api/v1/whoami');
        expect(await as(`baton.test:${port}`)).toMatchObject({ status: 200, body: { role: 'admin', commands: true } });
        expect(await as('ci.test:9')).toMatchObject({ status: 200 });
        expect(await as(`ci.test:${port}`)).toMatchObject({ status: 403, body: { error: { code: 'forbidden_host' } } });
        expect(await as(`rebind.attacker.example:${port}`)).toMatchObject({ status: 403 });
      } finally {
        server.child.kill('SIGTERM');
        await exited(server.child);
      }
    } finally {
      own.cleanup();
    }
  });
});

/** A GET naming `host` in its Host header, which fetch would not let a test choose. */
function getWith(port: number, host: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('baton worker --server', () => {
  it('worker processes drain tasks through the server exactly once', async () => {
    const admin = json<{ key: string }>(cli(project.dir, ['keys', 'create', '--role', 'admin', '--json'])).key;
    const server = await startBaton(project.dir, ['serve', '--port', '0'], SERVING);
    const url = server.match[1] as string;
    const workers: ChildProcess[] = [];
    try {
      const remote = new RemoteBaton({ url, token: admin });
      const n = 150;
      for (let i = 0; i < n; i += 25) {
        await Promise.all(Array.from({ length: 25 }, (_, j) => remote.createTask({ title: `job ${i + j}` })));
      }
      // The CLI works the same remotely.
      const listed = cli(project.dir, ['list', '--json', '--limit', '1000', '--server', url, '--token', admin]);
      expect(json<{ total: number }>(listed).total).toBe(n);
      expect(cli(project.dir, ['list', '--server', url]).code).toBe(2);
      for (let i = 0; i < 3; i++) {
        const id = `remote-${i}`;
        const key = json<{ key: string }>(cli(project.dir, ['keys', 'create', '--role', 'worker', '--worker', id, '--json'])).key;
        const child = spawn(process.execPath, [BIN, 'worker', id, '--simulate', '0', '--concurrency', '2', '--json'], {
          cwd: project.dir,
          env: childEnv({ BATON_SERVER: url, BATON_TOKEN: key }),
          stdio: 'ignore',
        });
        workers.push(child);
      }
      // Until done, within the test's generous timeout: how fast is bench/server.mjs's to measure.
      while ((await remote.status()).tasks.byStatus.completed < n) {
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const w of workers) w.kill('SIGTERM');
      expect(await Promise.all(workers.map(exited))).toEqual([0, 0, 0]);
      const events = await remote.events({ limit: 100_000 });
      const count = (type: string) => {
        const per = new Map<number, number>();
        for (const e of events) if (e.type === type) per.set(e.taskId as number, (per.get(e.taskId as number) ?? 0) + 1);
        return per;
      };
      expect([...count('claimed').values()].every((c) => c === 1)).toBe(true);
      expect(count('completed').size).toBe(n);
      expect([...count('completed').values()].every((c) => c === 1)).toBe(true);
      const by = new Set(events.filter((e) => e.type === 'completed').map((e) => e.workerId));
      expect(by.size).toBeGreaterThan(1);
    } finally {
      for (const w of workers) w.kill('SIGKILL');
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
    }
  }, 180_000);
});
