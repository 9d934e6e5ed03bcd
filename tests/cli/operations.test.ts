import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, startBaton } from '../server/spawn.js';
import { cli, freshProject, json } from './run-cli.js';

let project: ReturnType<typeof freshProject>;
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  project = freshProject();
  const started = await startBaton(project.dir, ['serve', '--port', '0'], /Baton is serving (http:\/\/\S+)/);
  server = started.child;
  url = started.match[1] as string;
});
afterAll(async () => {
  server.kill('SIGTERM');
  await exited(server);
  project.cleanup();
});

type Sample = { name: string; labels: Record<string, string>; value: number };
const sample = (all: Sample[], name: string, labels: Record<string, string> = {}) =>
  all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('baton health, metrics and migrate', () => {
  it('health says the store answers, on a store and through a server', () => {
    expect(json(cli(project.dir, ['health', '--json']))).toMatchObject({ ok: true, store: 'sqlite' });
    const human = cli(project.dir, ['health']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ok: the sqlite store answers and takes writes/);
    expect(json(cli(project.dir, ['health', '--server', url, '--json']))).toMatchObject({ ok: true, store: 'sqlite' });
  });

  it('metrics: a store gives its gauges only; a server also its counters, in Prometheus text or as JSON samples', () => {
    json(cli(project.dir, ['add', 'Count me', '--json']));
    const local = json<Sample[]>(cli(project.dir, ['metrics', '--json']));
    expect(sample(local, 'baton_tasks', { status: 'queued' })).toBe(1);
    expect(sample(local, 'baton_ready_tasks', { priority: 'normal' })).toBe(1);
    // Counters count what a server saw; a store alone has none to show.
    expect(local.some((s) => s.name === 'baton_claims_total')).toBe(false);

    json(cli(project.dir, ['next', '--worker', 'w1', '--server', url, '--json']));
    const remote = json<Sample[]>(cli(project.dir, ['metrics', '--server', url, '--json']));
    expect(sample(remote, 'baton_tasks', { status: 'executing' })).toBe(1);
    expect(sample(remote, 'baton_claims_total')).toBeGreaterThanOrEqual(1);
    const text = cli(project.dir, ['metrics', '--server', url]);
    expect(text.stdout).toMatch(/^# HELP /m);
    expect(text.stdout).toMatch(/^baton_tasks\{status="executing"\} 1$/m);
  });

  it('migrate brings a new store to the latest schema, says so, and changes nothing the second time', () => {
    const db = join(project.dir, 'fresh.db');
    const missing = cli(project.dir, ['migrate', '--db', db]);
    expect(missing.code).toBe(3);
    const first = json<{ version: number; migrations: { version: number; name: string }[] }>(
      cli(project.dir, ['migrate', '--db', db, '--init', '--json']),
    );
    expect(first.version).toBeGreaterThan(10);
    const versions = first.migrations.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions.at(-1)).toBe(first.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    const again = json<typeof first>(cli(project.dir, ['migrate', '--db', db, '--json']));
    expect(again).toEqual(first);
    expect(cli(project.dir, ['migrate', '--db', db]).stdout).toMatch(
      new RegExp(`^sqlite store .*fresh\\.db: schema version ${first.version} \\(${versions.length} migrations; the newest, `),
    );
    const remote = cli(project.dir, ['migrate', '--server', url]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/runs on a store/);
  });

  it('keys create --from-env stores a key the operator made, once; a clash or a weak key is refused and changes nothing', async () => {
    const own = freshProject();
    try {
      const key = `baton_deploy01_${'A1b2-C3d4_'.repeat(5)}`;
      const first = cli(
        own.dir,
        ['keys', 'create', '--role', 'admin', '--name', 'bootstrap', '--from-env', 'ADMIN_KEY', '--json'],
        {
          ADMIN_KEY: key,
        },
      );
      expect(json(first)).toMatchObject({ id: 'deploy01', role: 'admin', name: 'bootstrap' });
      // The key came from the environment: it is never printed back.
      expect(first.stdout).not.toContain(key);
      const again = cli(own.dir, ['keys', 'create', '--role', 'admin', '--from-env', 'ADMIN_KEY'], { ADMIN_KEY: key });
      expect(again.code).toBe(0);
      const clash = cli(own.dir, ['keys', 'create', '--role', 'admin', '--from-env', 'ADMIN_KEY'], {
        ADMIN_KEY: `baton_deploy01_${'Z'.repeat(50)}`,
      });
      expect(clash.code).toBe(4);
      expect(clash.stderr).toMatch(/key_exists/);
      const otherRole = cli(own.dir, ['keys', 'create', '--role', 'viewer', '--from-env', 'ADMIN_KEY'], { ADMIN_KEY: key });
      expect(otherRole.code).toBe(4);
      const weak = cli(own.dir, ['keys', 'create', '--role', 'admin', '--from-env', 'ADMIN_KEY'], {
        ADMIN_KEY: 'baton_short01_abc',
      });
      expect(weak.code).toBe(2);
      expect(weak.stderr).toMatch(/a secret of at least 43 characters/);
      expect(cli(own.dir, ['keys', 'create', '--role', 'admin', '--from-env', 'UNSET_VAR']).code).toBe(2);
      expect(json<{ id: string }[]>(cli(own.dir, ['keys', 'list', '--json'])).map((k) => k.id)).toEqual(['deploy01']);

      // The stored key opens a server that requires keys.
      const started = await startBaton(own.dir, ['serve', '--port', '0'], /Baton is serving (http:\/\/\S+)/);
      try {
        const at = started.match[1] as string;
        expect((await fetch(`${at}/api/v1/status`)).status).toBe(401);
        expect((await fetch(`${at}/api/v1/status`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      } finally {
        started.child.kill('SIGTERM');
        await exited(started.child);
      }
    } finally {
      own.cleanup();
    }
  });
});
