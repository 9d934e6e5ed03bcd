import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Baton, LeaseRef } from '../../src/app/baton.js';
import { type LeaseEvent, LeaseKeeper } from '../../src/app/lease-keeper.js';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { ManualClock } from '../../src/core/clock.js';
import { BatonError } from '../../src/core/errors.js';
import type { Task } from '../../src/core/types.js';
import { executingTask } from '../helpers/task.js';

/** Lets every pending promise and I/O callback run, so the keeper is asleep again before time moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A task leased to `owner` for `seconds`. */
function leased(id: number, seconds: number, owner = 'w1', token = 1): Task {
  const task = executingTask(owner, token, seconds * 1000, { id });
  return { ...task, lease: { ...task.lease!, seconds } };
}

type Answer = { ok: true } | { ok: false; error: unknown };

interface Call {
  id: number;
  lease: LeaseRef;
  settle(outcome: Answer): void;
}

/**
 * A Baton with only what the keeper calls. Each heartbeat waits until the test settles it, unless
 * `answer` settles it at once.
 */
class HeartbeatOnly {
  readonly calls: Call[] = [];
  /** Settles each heartbeat at once with what it returns; null (or a null answer) leaves it to the test. */
  answer: ((id: number) => Answer | null) | null = () => ({ ok: true });

  heartbeat(id: number, lease: LeaseRef): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      const settle = (outcome: Answer) =>
        outcome.ok ? resolve(leased(id, 3, lease.workerId, lease.token)) : reject(outcome.error);
      this.calls.push({ id, lease, settle });
      const now = this.answer?.(id);
      if (now) settle(now);
    });
  }

  ids(): number[] {
    return this.calls.map((c) => c.id);
  }
}

describe('LeaseKeeper: when it renews', () => {
  let clock: ManualClock;
  let baton: HeartbeatOnly;
  let events: LeaseEvent[];
  let keeper: LeaseKeeper;

  beforeEach(() => {
    clock = new ManualClock();
    baton = new HeartbeatOnly();
    events = [];
    keeper = new LeaseKeeper(baton as unknown as Baton, { clock, onEvent: (e) => events.push(e) });
    keeper.start();
  });
  afterEach(() => keeper.stop());

  async function advance(ms: number): Promise<void> {
    await flush();
    await clock.advance(ms);
    await flush();
  }

  it('renews a lease once a third of it has passed, not before, with its worker and token', async () => {
    keeper.hold(leased(1, 3, 'w1', 7));
    await advance(999);
    expect(baton.calls).toEqual([]);
    await advance(1);
    expect(baton.calls.map((c) => [c.id, c.lease])).toEqual([[1, { workerId: 'w1', token: 7 }]]);
    expect(events.map((e) => [e.type, e.lease.taskId])).toEqual([['renewed', 1]]);
    // The next renewal counts from this one.
    await advance(999);
    expect(baton.ids()).toEqual([1]);
    await advance(1);
    expect(baton.ids()).toEqual([1, 1]);
  });

  it('renews the leases that are due, with those past half their interval, and leaves the rest', async () => {
    keeper.hold(leased(1, 3));
    await advance(600);
    keeper.hold(leased(2, 3));
    await advance(300);
    keeper.hold(leased(3, 3));
    await advance(100);
    // At 1000 ms: lease 1 is due, lease 2 (400 ms old) is not yet past half of its 1000 ms, lease 3 is new.
    expect(baton.ids()).toEqual([1]);
    await advance(100);
    expect(baton.ids()).toEqual([1]);
    await advance(500);
    // At 1600 ms: lease 2 is due; lease 1 (renewed 600 ms ago) and lease 3 (700 ms old) share the batch.
    expect(baton.ids()).toEqual([1, 1, 2, 3]);
  });

  it('postpones a renewal when another write renewed the lease (touch)', async () => {
    keeper.hold(leased(1, 3));
    await advance(900);
    keeper.touch(1);
    await advance(900);
    expect(baton.calls).toEqual([]);
    await advance(100);
    expect(baton.ids()).toEqual([1]);
  });

  it('reports a lost lease with its typed code, drops it, and renews it no more', async () => {
    baton.answer = () => ({ ok: false, error: new BatonError('stale_token', 'task 1: token 1 is stale') });
    keeper.hold(leased(1, 3));
    await advance(1000);
    expect(events).toMatchObject([
      { type: 'lost', lease: { taskId: 1, token: 1 }, code: 'stale_token', message: 'task 1: token 1 is stale' },
    ]);
    expect(keeper.held).toEqual([]);
    expect(keeper.lease(1)).toBeUndefined();
    await advance(10_000);
    expect(baton.ids()).toEqual([1]);
  });

  it('treats each code that means the lease is gone as lost', async () => {
    const codes = ['illegal_transition', 'not_lease_holder', 'stale_token', 'lease_expired', 'task_not_found'] as const;
    baton.answer = (id) => ({ ok: false, error: new BatonError(codes[id]!, 'gone') });
    for (const [id] of codes.entries()) keeper.hold(leased(id, 3));
    await advance(1000);
    expect(events.map((e) => e.type === 'lost' && e.code)).toEqual([...codes]);
    expect(keeper.held).toEqual([]);
  });

  it('reports a failed renewal, keeps the lease and tries again until it is renewed', async () => {
    let down = true;
    baton.answer = () => (down ? { ok: false, error: new BatonError('store_unavailable', 'the store is down') } : { ok: true });
    keeper.hold(leased(1, 3));
    await advance(1000);
    expect(events).toMatchObject([{ type: 'failed', code: 'store_unavailable', failures: 1, retryAt: clock.now() + 500 }]);
    expect(keeper.held).toEqual([1]);
    await advance(500);
    expect(events.at(-1)).toMatchObject({ type: 'failed', failures: 2 });
    down = false;
    await advance(500);
    expect(events.map((e) => e.type)).toEqual(['failed', 'failed', 'renewed']);
    expect(baton.ids()).toEqual([1, 1, 1]);
    expect(keeper.held).toEqual([1]);
  });

  it('reports an error without a Baton code as a failure with a null code', async () => {
    baton.answer = () => ({ ok: false, error: new TypeError('fetch failed') });
    keeper.hold(leased(1, 3));
    await advance(1000);
    expect(events).toMatchObject([{ type: 'failed', code: null, message: 'fetch failed' }]);
    expect(keeper.held).toEqual([1]);
  });

  it('renews one lease while the renewal of another is still in flight', async () => {
    baton.answer = (id) => (id === 2 ? { ok: true } : null);
    keeper.hold(leased(1, 3));
    await advance(600);
    keeper.hold(leased(2, 3));
    await advance(400);
    // Lease 1 hangs; lease 2 (400 ms old) waited for its own time.
    expect(baton.ids()).toEqual([1]);
    await advance(600);
    expect(baton.ids()).toEqual([1, 2]);
    expect(events.map((e) => [e.type, e.lease.taskId])).toEqual([['renewed', 2]]);
    baton.calls[0]!.settle({ ok: true });
  });

  it('ignores the answer about a lease dropped while its renewal was in flight', async () => {
    baton.answer = null;
    keeper.hold(leased(1, 3));
    await advance(1000);
    keeper.drop(1);
    baton.calls[0]!.settle({ ok: false, error: new BatonError('illegal_transition', 'task 1 is completed') });
    await flush();
    expect(events).toEqual([]);
  });

  it('stop waits for the renewal in flight, reports it, then renews nothing more', async () => {
    baton.answer = null;
    keeper.hold(leased(1, 3));
    await advance(1000);
    let stopped = false;
    const stopping = keeper.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect([keeper.state, stopped]).toEqual(['stopping', false]);
    baton.calls[0]!.settle({ ok: true });
    await stopping;
    expect(keeper.state).toBe('stopped');
    expect(events.map((e) => e.type)).toEqual(['renewed']);
    await advance(10_000);
    expect(baton.ids()).toEqual([1]);
    // What it held can still be read, to release it.
    expect(keeper.lease(1)).toMatchObject({ taskId: 1, workerId: 'w1', token: 1, leaseMs: 3000 });
  });
});

describe('LeaseKeeper: its states', () => {
  it('starts once; stop before start and a second stop are fine', async () => {
    const keeper = new LeaseKeeper(new HeartbeatOnly() as unknown as Baton, { clock: new ManualClock() });
    expect(keeper.state).toBe('created');
    await keeper.stop();
    expect(keeper.state).toBe('stopped');
    expect(() => keeper.start()).toThrow(/cannot go from stopped to running/);
    await keeper.stop();

    const other = new LeaseKeeper(new HeartbeatOnly() as unknown as Baton, { clock: new ManualClock() });
    other.start();
    expect(() => other.start()).toThrow(/cannot go from running to running/);
    await other.stop();
    expect(other.state).toBe('stopped');
  });

  it('holds nothing for a task without a lease', () => {
    const keeper = new LeaseKeeper(new HeartbeatOnly() as unknown as Baton, { clock: new ManualClock() });
    expect(keeper.hold({ ...leased(1, 3), lease: null })).toBeNull();
    expect(keeper.held).toEqual([]);
  });
});

describe('LeaseKeeper over a real store', () => {
  let dir: string;
  let baton: LocalBaton;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-lease-keeper-'));
    baton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'test' });
  });
  afterEach(async () => {
    await baton.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits, yielding to I/O only, until `check` holds; the store's writes are not instant. */
  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
    expect(check()).toBe(true);
  }

  it('renews a claimed lease in the store, then reports it lost once the task is cancelled', async () => {
    const clock = new ManualClock();
    const events: LeaseEvent[] = [];
    const keeper = new LeaseKeeper(baton, { clock, onEvent: (e) => events.push(e) });
    keeper.start();
    try {
      const created = await baton.createTask({ title: 'kept alive' });
      const task = await baton.claim({ workerId: 'w1', leaseSeconds: 60 });
      expect(task?.id).toBe(created.id);
      keeper.hold(task!);
      await flush();
      await clock.advance(20_000);
      await until(() => events.length === 1);
      expect(events[0]).toMatchObject({ type: 'renewed', lease: { taskId: created.id, workerId: 'w1', token: 1 } });
      const history = (await baton.showTask(created.id)).history.map((e) => e.type);
      expect(history).toEqual(['created', 'claimed', 'lease_renewed']);

      await baton.cancelTask(created.id);
      await flush();
      await clock.advance(20_000);
      await until(() => events.length === 2);
      expect(events[1]).toMatchObject({ type: 'lost', lease: { taskId: created.id }, code: 'illegal_transition' });
      expect(keeper.held).toEqual([]);
    } finally {
      await keeper.stop();
    }
  });

  it('with checkMs, notices a task paused meanwhile within that time (a read, no write) and reports task_paused', async () => {
    const clock = new ManualClock();
    const events: LeaseEvent[] = [];
    const keeper = new LeaseKeeper(baton, { clock, checkMs: 1_000, onEvent: (e) => events.push(e) });
    keeper.start();
    try {
      const created = await baton.createTask({ title: 'paused under it' });
      const task = await baton.claim({ workerId: 'w1', leaseSeconds: 300 });
      keeper.hold(task!);
      await flush();
      // Checks that find the lease standing write nothing and report nothing.
      for (let i = 0; i < 3; i++) {
        await clock.advance(1_000);
        await flush();
      }
      expect(events).toEqual([]);
      expect((await baton.showTask(created.id)).history.map((e) => e.type)).toEqual(['created', 'claimed']);

      await baton.pauseTask(created.id);
      await clock.advance(1_000);
      await until(() => events.length === 1);
      expect(events[0]).toMatchObject({ type: 'lost', lease: { taskId: created.id }, code: 'task_paused' });
      expect(keeper.held).toEqual([]);
    } finally {
      await keeper.stop();
    }
  });
});
