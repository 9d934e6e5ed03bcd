import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { sqliteBackend, type TestStore } from '../helpers/stores.js';
import { cli, groupMembers, startWorker, waitFor } from './helpers.js';

describe('a remote worker (--server) and its logs', () => {
  let store: TestStore;
  let server: ServeProcess;
  let baton: RemoteBaton;
  /** Where the worker runs: a folder of another machine, as far as Baton can tell. */
  let away: string;
  beforeAll(async () => {
    store = await sqliteBackend.fresh();
    server = await startServe(store);
    baton = new RemoteBaton({ url: server.url });
    away = mkdtempSync(join(tmpdir(), 'baton-away-'));
  });
  afterAll(async () => {
    await baton?.close();
    await server?.stop();
    await store?.remove();
    rmSync(away, { recursive: true, force: true });
  });

  it('creates no .baton/ where it runs; the server keeps each attempt log, for baton logs --server and the dashboard', async () => {
    const task = await baton.createTask({
      title: 'Remote build',
      command: 'echo "hello from afar"; echo "::progress 50 Half"; echo "a warning" >&2; sleep 1.2; echo "after a second"',
    });
    const run = cli(away, ['worker', 'far-1', '--once', '--server', server.url]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await baton.getTask(task.id)).status).toBe('completed');
    expect(readdirSync(away)).toEqual([]);
    expect(existsSync(join(away, '.baton'))).toBe(false);

    // Kept beside the store the server serves, written by the server.
    const kept = readFileSync(join(store.cwd, 'logs', `${task.id}-1.log`), 'utf8');
    expect(kept).toContain(`# baton: task #${task.id} attempt 1 by far-1`);
    for (const line of ['hello from afar', 'a warning', 'after a second', '# baton: exit 0']) expect(kept).toContain(line);

    const logs = cli(away, ['logs', String(task.id), '--server', server.url]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe(kept);
    const asJson = JSON.parse(cli(away, ['logs', String(task.id), '--server', server.url, '--json']).stdout);
    expect(asJson).toMatchObject({ taskId: task.id, logs: [{ attempt: 1, text: kept.replace(/\n$/, '') }] });
    const show = cli(away, ['show', String(task.id), '--server', server.url]);
    expect(show.stdout).toMatch(/Output of attempt 1/);
    expect(show.stdout).toContain('after a second');

    // What the dashboard reads.
    const page = await fetch(`${server.url}/api/v1/tasks/${task.id}/logs`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as { text: string }).text).toContain('hello from afar');
    expect(readdirSync(away)).toEqual([]);
  });

  it("pausing the task stops the remote worker's command within 2 s; the output sent before stays on the server", async () => {
    const pidFile = join(away, 'remote.pid');
    const task = await baton.createTask({
      title: 'Remote long run',
      command: `echo $$ > ${JSON.stringify(pidFile)}; echo "started far away"; sleep 60 & wait`,
    });
    const worker = startWorker(away, ['far-2', '--json', '--server', server.url]);
    try {
      await waitFor('the first output to reach the server', () => {
        try {
          return readFileSync(join(store.cwd, 'logs', `${task.id}-1.log`), 'utf8').includes('started far away');
        } catch {
          return false;
        }
      });
      const shell = Number(readFileSync(pidFile, 'utf8'));
      const pausedAt = Date.now();
      expect(await baton.pauseTask(task.id)).toMatchObject({ status: 'paused', lease: null });
      await waitFor('the process group to stop', () => groupMembers(shell).length === 0, 2_000);
      expect(Date.now() - pausedAt).toBeLessThan(2_000);
      await waitFor('the worker to say so', () => worker.output().includes('"type":"paused"'), 2_000);
      expect(await baton.getTask(task.id)).toMatchObject({ status: 'paused', retries: 0, lastError: null });
      const log = cli(away, ['logs', String(task.id), '--server', server.url]);
      expect(log.stdout).toContain('started far away');
      rmSync(pidFile);
      expect(readdirSync(away)).toEqual([]);
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
  });

  it('baton logs --server says so when the server keeps no log of the task', async () => {
    const task = await baton.createTask({ title: 'Never ran' });
    const logs = cli(away, ['logs', String(task.id), '--server', server.url]);
    expect(logs.code).toBe(3);
    expect(logs.stderr).toContain('log_not_found');
  });
});
