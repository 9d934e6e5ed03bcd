import { type ChildProcess, spawn } from 'node:child_process';
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
