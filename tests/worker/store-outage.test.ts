import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { LocalBaton } from '../../src/app/local-baton.js';
import { BatonError } from '../../src/core/errors.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AttemptOutcome, Executor, WorkerEvent } from '../../src/worker/types.js';
import { WorkerLoop } from '../../src/worker/worker-loop.js';
import { waitFor } from './helpers.js';

/**
 * A Baton whose store can be taken away: while `down`, every call is refused with
 * `store_unavailable` (as a server answers while its database restarts); while `silent`, every
 * call waits for the store to come back (as a client does that keeps retrying).
 */
function outage(baton: Baton) {
  const state = { down: false, silent: false, refused: 0 };
  let back: () => void = () => {};
  let restored = Promise.resolve();
  const proxy = new Proxy(baton, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      return async (...args: unknown[]) => {
        if (state.silent) await restored;
        if (state.down) {
          state.refused++;
          throw new BatonError('store_unavailable', 'cannot reach PostgreSQL (ECONNREFUSED)');
        }
        return value.apply(target, args);
      };
    },
  });
  return {
    baton: proxy,
    state,
    /** Calls wait from now until `restore`. */
    silence() {
      state.silent = true;
      restored = new Promise<void>((resolve) => {
        back = resolve;
      });
    },
    restore() {
      state.down = false;
      state.silent = false;
      back();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the worker loop while the store is unavailable', () => {
  let local: LocalBaton;
  let store: ReturnType<typeof outage>;
  let events: WorkerEvent[];
  let loop: WorkerLoop;
  let running: Promise<void>;

  beforeEach(() => {
    local = new LocalBaton({ store: openSqliteStore(':memory:', { create: true }), policy: DEFAULT_POLICY, actor: 'test' });
    store = outage(local);
    events = [];
  });
  afterEach(async () => {
    store.restore();
    loop.stop();
    loop.stop();
    await running;
    await local.close();
  });

  function start(executor: Executor): void {
    loop = new WorkerLoop(store.baton, {
      id: 'w1',
      capabilities: [],
      leaseSeconds: 60,
      pollSeconds: 0.05,
      settleMs: 0,
      executor,
      onEvent: (e) => events.push(e),
    });
    running = loop.run();
  }

  const types = () => events.map((e) => e.type);
  const claimed = () => waitFor('the claim', () => types().includes('claimed'));

  it('a completion refused while the store is down is sent again once it is back: the first attempt completes', async () => {
    const task = await local.createTask({ title: 'finishes during the outage' });
    let finish!: (outcome: AttemptOutcome) => void;
    start(() => new Promise((resolve) => (finish = resolve)));
    await claimed();
    store.state.down = true;
    finish({ ok: true, result: { n: 1 } });
    await waitFor('refusals', () => store.state.refused >= 2);
    store.restore();

    const done = await waitFor('the completion', async () => {
      const t = await local.getTask(task.id);
      return t.status === 'completed' && t;
    });
    expect([done.attempts, done.result]).toEqual([1, { n: 1 }]);
    expect(types()).toContain('completed');
    expect(types()).not.toContain('lost');
  });

  it('progress and notes made while the store is down arrive once it is back, each once', async () => {
    const task = await local.createTask({ title: 'reports during the outage' });
    start(async (ctx) => {
      store.state.down = true;
      setTimeout(() => store.restore(), 700);
      ctx.progress(50, 'half way');
      await ctx.note('made while the store was down');
      await sleep(500);
      return { ok: true };
    });

    await waitFor('the completion', async () => (await local.getTask(task.id)).status === 'completed');
    const done = await local.getTask(task.id);
    expect(done.notes.map((n) => n.text)).toEqual(['made while the store was down']);
    expect(done.checkpoints.map((c) => [c.name, c.progress])).toEqual([['half way', 50]]);
    expect(store.state.refused).toBeGreaterThan(0);
  });

  it('a worker started while the store is down waits for it, then works', async () => {
    const task = await local.createTask({ title: 'waits for the store' });
    store.state.down = true;
    start(async () => ({ ok: true }));
    await waitFor('refusals', () => store.state.refused >= 2);
    store.restore();
    await waitFor('the completion', async () => (await local.getTask(task.id)).status === 'completed');
    // Each refusal was told, and then the worker came online.
    const online = types().indexOf('online');
    expect(new Set(types().slice(0, online))).toEqual(new Set(['error']));
  });

  it('a second stop ends the loop within seconds even when the store no longer answers', async () => {
    await local.createTask({ title: 'held when the store went silent' });
    start(
      (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ ok: false, error: 'stopped' }))),
    );
    await claimed();
    store.silence();
    loop.stop(60);
    loop.stop();
    const stoppedAt = Date.now();
    await running;
    // The release is waited for 2 s at most; the lease then runs out on its own.
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    expect(types().at(-1)).toBe('stopped');
  });
});
