import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBaton } from '../../src/app/local-baton.js';
import { ManualClock } from '../../src/core/clock.js';
import { LIMITS } from '../../src/core/limits.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy.js';
import type { Task } from '../../src/core/types.js';
import { work } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { LineSplitter, parseProtocolLine } from '../../src/worker/protocol.js';
import type { WorkerEvent } from '../../src/worker/types.js';
import { waitFor } from './helpers.js';

/** Lets pending promises and I/O callbacks run, so the worker's timers are set before time moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function memoryBaton(policy: Partial<Policy> = {}): LocalBaton {
  return new LocalBaton({
    store: openSqliteStore(':memory:', { create: true }),
    policy: { ...DEFAULT_POLICY, ...policy },
    actor: 'test',
  });
}

describe('the JS handler API: work(baton, …)', () => {
  let baton: LocalBaton;
  beforeEach(() => {
    baton = memoryBaton();
  });
  afterEach(() => baton.close());

  it('runs tasks concurrently, stores results and failures, and close() waits for running handlers', async () => {
    for (let i = 0; i < 20; i++) await baton.createTask({ title: `job ${i}`, input: { n: i }, maxRetries: 0 });
    let running = 0;
    let peak = 0;
    const worker = work(baton, {
      id: 'js-1',
      concurrency: 4,
      handler: async (task: Task) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        const n = (task.input as { n: number }).n;
        if (n === 7) throw new Error('seven is unlucky');
        return { double: n * 2 };
      },
    });
    await waitFor('all jobs to finish', async () => (await baton.listTasks({ status: ['completed', 'failed'] })).total === 20);
    await worker.close();
    expect(peak).toBe(4);
    const { tasks } = await baton.listTasks({ limit: 100 });
    for (const t of tasks) {
      const n = (t.input as { n: number }).n;
      if (n === 7) expect([t.status, t.lastError]).toEqual(['failed', 'seven is unlucky']);
      else expect([t.status, t.result]).toEqual(['completed', { double: n * 2 }]);
    }
  });

  it('prefetch: claims ahead of its free slots, starts those tasks as slots free, and hands back the unstarted ones on close', async () => {
    for (let i = 0; i < 10; i++) await baton.createTask({ title: `job ${i}` });
    const gates: (() => void)[] = [];
    const started: number[] = [];
    const events: WorkerEvent[] = [];
    const worker = work(baton, {
      id: 'js-ahead',
      concurrency: 2,
      prefetch: 3,
      onEvent: (e) => events.push(e),
      handler: (task: Task) =>
        new Promise<void>((resolve) => {
          started.push(task.id);
          gates.push(resolve);
        }),
    });
    // Two running, three more leased and waiting; the other five still queued.
    await waitFor('five tasks held', async () => (await baton.listTasks({ status: ['executing'] })).total === 5);
    expect(started).toHaveLength(2);
    expect((await baton.listTasks({ status: ['queued'] })).total).toBe(5);
    // A slot that frees starts a task already held, at once.
    gates.shift()?.();
    await waitFor('a held task to start', async () => started.length === 3);
    expect((await baton.listTasks({ status: ['completed'] })).total).toBe(1);
    // Closing lets the two running handlers finish and releases the held ones, which never ran.
    const closing = worker.close();
    await waitFor('the held tasks back in the queue', async () => (await baton.listTasks({ status: ['executing'] })).total === 2);
    for (const open of gates.splice(0)) open();
    await closing;
    expect(started).toHaveLength(3);
    const counts = await baton.listTasks({ status: ['completed'] });
    expect(counts.total).toBe(3);
    expect((await baton.listTasks({ status: ['queued'] })).total).toBe(7);
    expect(events.filter((e) => e.type === 'released')).toHaveLength(3);
    // Each held task was claimed once and released once: nothing ran twice.
    expect(new Set(started).size).toBe(3);
  });

  it('a registered worker claims with its capabilities right away, and only what it can do', async () => {
    const react = await baton.createTask({ title: 'ui', capabilities: ['react'] });
    const rust = await baton.createTask({ title: 'engine', capabilities: ['rust'] });
    const seen: number[] = [];
    // Waits between claims far longer than the test may run: the task is done by the first claim,
    // or not at all.
    const worker = work(baton, {
      id: 'fe',
      capabilities: ['react', 'css'],
      pollSeconds: LIMITS.claimWaitSeconds,
      handler: (t: Task) => void seen.push(t.id),
    });
    await waitFor('the react task', async () => (await baton.getTask(react.id)).status === 'completed');
    await worker.close();
    expect(seen).toEqual([react.id]);
    expect((await baton.getTask(rust.id)).status).toBe('queued');
  });

  it('shows busy while a handler runs, idle while waiting, offline (stopped) after close', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const events: WorkerEvent['type'][] = [];
    const worker = work(baton, { id: 'w-health', handler: () => gate, onEvent: (e) => events.push(e.type) });
    const health = async () => (await baton.listWorkers()).find((w) => w.id === 'w-health')?.health;
    await waitFor('registration', async () => (await health()) === 'idle');
    const task = await baton.createTask({ title: 'hold' });
    await waitFor('busy', async () => (await health()) === 'busy');
    expect((await baton.listWorkers()).find((w) => w.id === 'w-health')?.currentTasks).toEqual([task.id]);
    release();
    await waitFor('idle again', async () => (await health()) === 'idle' && (await baton.getTask(task.id)).status === 'completed');
    await worker.close();
    expect(await health()).toBe('offline');
    expect(events).toEqual(['online', 'claimed', 'completed', 'stopping', 'stopped']);
  });

  it('close with a grace period aborts a stuck handler and releases its task at once', async () => {
    const task = await baton.createTask({ title: 'stuck' });
    let aborted = false;
    const worker = work(baton, {
      id: 'w-stuck',
      leaseSeconds: 600,
      handler: (_t: Task, ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
    });
    await waitFor('claim', async () => (await baton.getTask(task.id)).status === 'executing');
    await worker.close({ graceSeconds: 0.05 });
    expect(aborted).toBe(true);
    const t = await baton.getTask(task.id);
    expect([t.status, t.lease, t.retries]).toEqual(['queued', null, 0]);
  });

  it('a handler past its timeout is aborted and the attempt fails', async () => {
    const task = await baton.createTask({ title: 'slow', timeoutSeconds: 0.1, maxRetries: 0 });
    const worker = work(baton, { id: 'w-timeout', handler: () => new Promise(() => undefined) });
    await waitFor('failure', async () => (await baton.getTask(task.id)).status === 'failed');
    await worker.close();
    expect((await baton.getTask(task.id)).lastError).toMatch(/timed out after 0.1s/);
  });

  it('stops a handler whose task was cancelled (the lease is gone) and reports nothing', async () => {
    const task = await baton.createTask({ title: 'to cancel' });
    let aborted = false;
    const worker = work(baton, {
      id: 'w-cancel',
      leaseSeconds: 0.3,
      handler: (_t: Task, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve('too late');
          });
        }),
    });
    await waitFor('claim', async () => (await baton.getTask(task.id)).status === 'executing');
    await baton.cancelTask(task.id);
    await waitFor('the handler to be stopped', () => aborted);
    await worker.close();
    expect((await baton.getTask(task.id)).status).toBe('cancelled');
  });

  it('renews the lease of a long task a third of the lease at a time, on its clock, past the lease length', async () => {
    const clock = new ManualClock();
    const task = await baton.createTask({ title: 'long' });
    let finish!: () => void;
    const handler = () =>
      new Promise<void>((resolve) => {
        finish = resolve;
      });
    const worker = work(baton, { id: 'w-long', leaseSeconds: 60, clock, handler });
    await waitFor('claim', async () => (await baton.getTask(task.id)).status === 'executing');
    const renewals = async () => (await baton.showTask(task.id)).history.filter((e) => e.type === 'lease_renewed').length;
    // Two minutes of the worker's clock, twice the lease, in no time at all.
    for (let third = 1; third <= 6; third++) {
      await flush();
      await clock.advance(20_000);
      await waitFor(`renewal ${third}`, async () => (await renewals()) === third);
    }
    finish();
    await waitFor('completion', async () => (await baton.getTask(task.id)).status === 'completed');
    await worker.close();
    expect((await baton.showTask(task.id)).history.map((e) => e.type)).not.toContain('lease_expired');
  });
});

describe('hybrid assignment', () => {
  it('pushes a critical task to the best-fitting idle worker the moment it becomes ready; others stay pull', async () => {
    const baton = memoryBaton({ assignment: 'hybrid' });
    try {
      await baton.registerWorker({ id: 'generalist', capabilities: ['react', 'python', 'sql'], concurrency: 4 });
      await baton.registerWorker({ id: 'specialist', capabilities: ['python'] });
      await baton.registerWorker({ id: 'frontend', capabilities: ['react'] });
      const normal = await baton.createTask({ title: 'normal', capabilities: ['python'] });
      expect([normal.status, normal.reservedFor]).toEqual(['queued', null]);
      const critical = await baton.createTask({ title: 'hotfix', priority: 'critical', capabilities: ['python'] });
      expect([critical.status, critical.reservedFor]).toEqual(['assigned', 'specialist']);

      // The specialist is now spoken for; the next one goes to the other capable worker.
      const claimed = await baton.claim({ workerId: 'specialist' });
      expect(claimed?.id).toBe(critical.id);
      const second = await baton.createTask({ title: 'hotfix 2', priority: 'critical', capabilities: ['python'] });
      expect(second.reservedFor).toBe('generalist');

      // Ready later: when its dependency completes.
      const dep = await baton.createTask({ title: 'first' });
      const blocked = await baton.createTask({
        title: 'after',
        priority: 'critical',
        capabilities: ['react'],
        dependsOn: [dep.id],
      });
      expect(blocked.status).toBe('blocked');
      const got = await baton.claim({ workerId: 'frontend', capabilities: ['react'] });
      expect(got?.id).toBe(dep.id);
      await baton.complete(dep.id, { workerId: 'frontend' });
      expect((await baton.getTask(blocked.id)).reservedFor).toBe('frontend');
    } finally {
      await baton.close();
    }
  });

  it('pull mode never pushes', async () => {
    const baton = memoryBaton();
    try {
      await baton.registerWorker({ id: 'a', capabilities: [] });
      const t = await baton.createTask({ title: 'hotfix', priority: 'critical' });
      expect([t.status, t.reservedFor]).toEqual(['queued', null]);
    } finally {
      await baton.close();
    }
  });
});

describe('the output protocol', () => {
  it.each([
    ['::progress 40 Writing tests', { kind: 'progress', percent: 40, step: 'Writing tests' }],
    ['::progress 75%', { kind: 'progress', percent: 75, step: null }],
    ['::progress 12.5 half a step  ', { kind: 'progress', percent: 12.5, step: 'half a step' }],
    ['::result {"a":[1,2]}', { kind: 'result', value: { a: [1, 2] } }],
    ['::result 42', { kind: 'result', value: 42 }],
    ['plain output', null],
    [':: not a message', null],
  ])('%s', (line, expected) => {
    expect(parseProtocolLine(line)).toEqual(expected);
  });

  it.each(['::progress 140', '::progress many', '::result {oops'])('refuses %s', (line) => {
    expect(parseProtocolLine(line)?.kind).toBe('invalid');
  });

  it('splits lines across chunks', () => {
    const lines: string[] = [];
    const s = new LineSplitter();
    s.push('::prog', (l) => lines.push(l));
    s.push('ress 10\r\nab', (l) => lines.push(l));
    s.end((l) => lines.push(l));
    expect(lines).toEqual(['::progress 10', 'ab']);
  });
});
