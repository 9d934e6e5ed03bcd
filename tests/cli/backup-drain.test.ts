import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import type { Task, TaskEvent } from '../../src/core/types.js';
import { childEnv } from '../helpers/sealed.js';
import { postgresBackend, type StoreBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';
import { BIN, cliAsync } from './run-cli.js';

/**
 * A backup taken by the real binary while four real `baton worker` processes drain 5,000 tasks,
 * restored by the real binary into a fresh store: every task completed before the backup started
 * is completed there, no task is half-written, and the event log agrees with the tasks. Runs the
 * built binary: `npm run build` first.
 */

const TASKS = 5_000;
const WORKERS = 4;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** TASKS queued tasks, loaded in one import: what matters is the draining, not the adding. */
async function queue(baton: LocalBaton, scratch: LocalBaton): Promise<void> {
  const template = await scratch.createTask({ title: 'template' });
  const { tasks: _tasks, events: _events, ...empty } = await scratch.exportData();
  const tasks = Array.from({ length: TASKS }, (_, i) => ({ ...template, id: i + 1, title: `job ${i + 1}` }));
  await baton.importData({ ...empty, tasks, events: [], workers: [] });
}

interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | string>;
}

function startWorker(store: TestStore, id: string): Worker {
  const args = [BIN, 'worker', id, '--db', store.db, '--simulate', '0', '--concurrency', '4', '--grace', '5'];
  const child = spawn(process.execPath, args, { cwd: store.cwd, env: childEnv(), detached: true });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? '?')));
  cleanup.push(() => {
    try {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  });
  return { child, output: () => out, exited };
}

async function completedIds(baton: LocalBaton): Promise<Set<number>> {
  const ids = new Set<number>();
  let cursor: string | undefined;
  for (;;) {
    const page = await baton.listTasks({ status: ['completed'], limit: 1_000, ...(cursor && { cursor }) });
    for (const t of page.tasks) ids.add(t.id);
    if (!page.next) return ids;
    cursor = page.next;
  }
}

async function allTasks(baton: LocalBaton): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await baton.listTasks({ limit: 1_000, ...(cursor && { cursor }) });
    tasks.push(...page.tasks);
    if (!page.next) return tasks;
    cursor = page.next;
  }
}

/** The status a task's history leaves it in: the `after` of the last event that changed it. */
function statusByHistory(events: TaskEvent[]): Map<number, string> {
  const status = new Map<number, string>();
  for (const e of events) {
    const change = e.changes.status;
    if (e.taskId !== null && change) status.set(e.taskId, String(change[1]));
  }
  return status;
}

function drainTest(backend: StoreBackend): void {
  it(`${backend.name}: a backup taken while ${WORKERS} workers drain ${TASKS} tasks restores consistent`, async () => {
    expect(existsSync(BIN), 'build first: npm run build').toBe(true);
    const store = await backend.fresh();
    const scratch = await backend.fresh();
    const target = await backend.fresh();
    cleanup.push(
      () => store.remove(),
      () => scratch.remove(),
      () => target.remove(),
    );
    const baton = await openBaton({ db: store.db, cwd: store.cwd, actor: 'tester' });
    const other = await openBaton({ db: scratch.db, cwd: scratch.cwd, actor: 'tester' });
    cleanup.push(
      () => baton.close(),
      () => other.close(),
    );
    await queue(baton, other);
    const workers = Array.from({ length: WORKERS }, (_, i) => startWorker(store, `drainer-${i}`));
    onTestFailed(() => {
      for (const [i, w] of workers.entries()) console.error(`--- drainer-${i}:\n${w.output().slice(-3000)}`);
    });

    // The crew is well into the queue, not through it.
    while ((await baton.countTasks({ status: ['completed'] })).total < 500) await sleep(100);
    const before = await completedIds(baton);
    const file = join(store.cwd, 'during.backup');
    const format = backend.name === 'SQLite' ? 'sqlite' : 'portable';
    const taken = await cliAsync(store.cwd, ['backup', file, '--format', format, '--db', store.db, '--json']);
    const doneAfter = (await baton.countTasks({ status: ['completed'] })).total;
    expect(taken.stderr).toBe('');
    const backup = JSON.parse(taken.stdout);
    expect(backup).toMatchObject({ file, format, verified: true, counts: { tasks: TASKS } });
    expect(backup.bytes).toBeGreaterThan(0);
    // The crew kept completing while the backup was taken.
    expect(doneAfter).toBeGreaterThan(before.size);

    // The drain need not end for what is checked here: the crew stops as a user would stop it.
    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual(workers.map(() => 0));

    const restored = await cliAsync(target.cwd, ['restore', file, '--db', target.db, '--json']);
    expect(restored.stderr).toBe('');
    expect(JSON.parse(restored.stdout)).toMatchObject({
      counts: backup.counts,
      from: backend.name === 'SQLite' ? 'sqlite' : 'postgres',
    });

    const copy = await openBaton({ db: target.db, cwd: target.cwd, actor: 'tester' });
    cleanup.push(() => copy.close());
    const tasks = await allTasks(copy);
    const events = await copy.events({ limit: 1_000_000 });
    expect(tasks.length).toBe(TASKS);
    expect(events.length).toBe(backup.counts.events);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    // Every task completed before the backup began is completed in the restored store; the
    // backup was taken mid-way (work was left).
    expect([...before].filter((id) => byId.get(id)?.status !== 'completed')).toEqual([]);
    const completed = tasks.filter((t) => t.status === 'completed').length;
    expect(completed).toBeGreaterThanOrEqual(before.size);
    expect(completed).toBeLessThan(TASKS);
    // No task is half-written: its status is the one its history ends in (queued, as loaded, for
    // one never claimed), its attempts are its claims, and a completed one has one completion.
    const history = statusByHistory(events);
    expect(tasks.filter((t) => (history.get(t.id) ?? 'queued') !== t.status).map((t) => t.id)).toEqual([]);
    const claims = new Map<number, number>();
    const ends = new Map<number, number>();
    for (const e of events) {
      expect(e.taskId === null || byId.has(e.taskId)).toBe(true);
      if (e.type === 'claimed') claims.set(e.taskId as number, (claims.get(e.taskId as number) ?? 0) + 1);
      if (e.type === 'completed') ends.set(e.taskId as number, (ends.get(e.taskId as number) ?? 0) + 1);
    }
    expect(tasks.filter((t) => (claims.get(t.id) ?? 0) !== t.attempts).map((t) => t.id)).toEqual([]);
    expect(tasks.filter((t) => (ends.get(t.id) ?? 0) !== (t.status === 'completed' ? 1 : 0)).map((t) => t.id)).toEqual([]);
    // A task held when the backup was taken is still held by its worker's lease there.
    for (const t of tasks.filter((t) => t.status === 'executing')) expect(t.lease?.owner).toMatch(/^drainer-/);
  }, 240_000);
}

describe('baton backup while a crew works, baton restore', () => {
  drainTest(sqliteBackend);
  drainTest(postgresBackend);
});
