import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBaton } from '../../src/app/local-baton.js';
import { ManualClock } from '../../src/core/clock.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Executor, WorkerEvent } from '../../src/worker/types.js';
import { WorkerLoop } from '../../src/worker/worker-loop.js';
import { waitFor } from './helpers.js';

/** Runs until its attempt is aborted, then says so. */
const untilAborted: Executor = (ctx) =>
  new Promise((resolve) =>
    ctx.signal.addEventListener('abort', () => resolve({ ok: false, error: `stopped: ${ctx.signal.reason}` })),
  );

/** Lets pending promises and I/O callbacks run, so the loop's timers are set before time moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('the worker loop on a manual clock', () => {
  let baton: LocalBaton;
  let clock: ManualClock;
  let events: WorkerEvent[];
  let loop: WorkerLoop;
  let running: Promise<void>;

  beforeEach(() => {
    baton = new LocalBaton({ store: openSqliteStore(':memory:', { create: true }), policy: DEFAULT_POLICY, actor: 'test' });
    clock = new ManualClock();
    events = [];
  });
  afterEach(async () => {
    loop.stop();
    await running;
    await baton.close();
  });

  function start(executor: Executor): void {
    loop = new WorkerLoop(baton, {
      id: 'w1',
      capabilities: [],
      leaseSeconds: 60,
      pollSeconds: 0.05,
      settleMs: 0,
      clock,
      executor,
      onEvent: (e) => events.push(e),
    });
    running = loop.run();
  }

  async function advance(ms: number): Promise<void> {
    await flush();
    await clock.advance(ms);
    await flush();
  }

  const types = () => events.map((e) => e.type);
  const claimed = () => waitFor('the claim', () => types().includes('claimed'));

  it('renews the lease of a running attempt as its clock passes a third of the lease', async () => {
    const task = await baton.createTask({ title: 'long' });
    start(untilAborted);
    await claimed();
    await advance(20_000);
    await waitFor('a renewal', async () => (await baton.showTask(task.id)).history.some((e) => e.type === 'lease_renewed'));
    expect((await baton.getTask(task.id)).status).toBe('executing');
  });

  it('a lease the keeper finds lost stops the attempt, which reports nothing', async () => {
    const task = await baton.createTask({ title: 'cancelled under it' });
    start(untilAborted);
    await claimed();
    await baton.cancelTask(task.id);
    await advance(20_000);
    await waitFor('the lost lease', () => types().includes('lost'));
    loop.stop();
    await running;
    expect(types()).toEqual(['online', 'claimed', 'lost', 'stopping', 'stopped']);
    expect((await baton.showTask(task.id)).history.map((e) => e.type)).toEqual(['created', 'claimed', 'cancelled']);
  });

  it('the grace period of a stop runs on the clock, then the attempt is released', async () => {
    const task = await baton.createTask({ title: 'stopped mid-way' });
    start(untilAborted);
    await claimed();
    loop.stop(30);
    await advance(29_000);
    expect((await baton.getTask(task.id)).status).toBe('executing');
    await advance(1_000);
    await running;
    expect(types()).toEqual(['online', 'claimed', 'stopping', 'released', 'stopped']);
    expect((await baton.getTask(task.id)).status).toBe('queued');
  });

  it("a task's timeout runs on the clock: ten minutes pass without waiting them", async () => {
    const task = await baton.createTask({ title: 'too slow', timeoutSeconds: 600, maxRetries: 0 });
    start(untilAborted);
    await claimed();
    await advance(599_000);
    expect((await baton.getTask(task.id)).status).toBe('executing');
    await advance(1_000);
    await waitFor('the failure', () => types().includes('failed'));
    const failed = await baton.getTask(task.id);
    expect([failed.status, failed.lastError]).toEqual(['failed', 'timed out after 600s; the process group was killed']);
  });
});
