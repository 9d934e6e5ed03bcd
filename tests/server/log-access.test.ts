import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { type BatonServer, buildServer } from '../../src/server/app.js';
import { auth, expectError } from './helpers.js';

/** A server whose store has `config` as its config.yaml, and a task that worker w1 ran, with a log. */
async function serverWithLog(config = '') {
  const dir = mkdtempSync(join(tmpdir(), 'baton-log-access-'));
  writeFileSync(join(dir, 'config.yaml'), config);
  const baton: LocalBaton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'test' });
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  const server: BatonServer = await buildServer({ baton, logDir, validateResponses: true, rateLimit: false });
  await server.start();
  const task = await baton.createTask({ title: 'deploy', command: './deploy.sh' });
  await baton.claim({ workerId: 'w1' });
  writeFileSync(join(logDir, `${task.id}-1.log`), 'using token s3cr3t\n');
  const key = async (role: 'admin' | 'worker' | 'viewer', workerId?: string) =>
    auth((await baton.createKey({ role, workerId })).key);
  const read = (headers: Record<string, string>) =>
    server.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs`, headers });
  const attempts = (headers: Record<string, string>) =>
    server.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs/attempts`, headers });
  const close = async () => {
    await server.close();
    await baton.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { baton, task, key, read, attempts, close };
}

describe("who may read a task's attempt logs", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('admins and the workers that ran the task; not viewers, not other workers', async () => {
    const s = await serverWithLog();
    close = s.close;
    const admin = await s.key('admin');
    const ranIt = await s.key('worker', 'w1');
    const other = await s.key('worker', 'w2');
    const viewer = await s.key('viewer');

    for (const headers of [admin, ranIt]) {
      const res = await s.read(headers);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ text: 'using token s3cr3t' });
    }
    for (const headers of [viewer, other]) {
      const res = await s.read(headers);
      expectError(res, 403, 'forbidden');
      expect(res.body).not.toContain('s3cr3t');
      // Which attempts have a log is not said to them either; the answer is no error.
      const kept = await s.attempts(headers);
      expect(kept.statusCode).toBe(200);
      expect(kept.json()).toEqual({ taskId: s.task.id, readable: false, attempts: [] });
    }
    expect((await s.attempts(admin)).json()).toEqual({ taskId: s.task.id, readable: true, attempts: [1] });
    // Still a worker of the task once it no longer holds it.
    const held = await s.baton.getTask(s.task.id);
    await s.baton.release(s.task.id, { workerId: 'w1', token: held.lease?.token });
    expect((await s.read(ranIt)).statusCode).toBe(200);
  });

  it('logs.readers: all in the config opens them to any key', async () => {
    const s = await serverWithLog('logs: { readers: all }\n');
    close = s.close;
    const res = await s.read(await s.key('viewer'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ text: 'using token s3cr3t' });
  });
});
