import { describe, expect, it } from 'vitest';
import { LeaseSweeper } from '../../src/app/lease-sweeper.js';
import { ManualClock } from '../../src/core/clock.js';

/** A sweep that lasts until the test ends it, counting how many ran and how many run at once. */
function slowSweeps() {
  const ends: (() => void)[] = [];
  const state = { started: 0, running: 0, most: 0 };
  const sweep = () =>
    new Promise<number>((resolve) => {
      state.started++;
      state.running++;
      state.most = Math.max(state.most, state.running);
      const n = state.started;
      ends.push(() => {
        state.running--;
        resolve(n);
      });
    });
  /** Ends the oldest sweep still running, and lets its callers go on. */
  const endOne = async () => {
    ends.shift()?.();
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  return { sweep, state, endOne };
}

describe('LeaseSweeper: one sweep at a time', () => {
  it('claims and reads skip the sweep while one is still running, however long it takes', async () => {
    const clock = new ManualClock();
    const sweeper = new LeaseSweeper(clock);
    const { sweep, state, endOne } = slowSweeps();
    const calls = [sweeper.sometimes(sweep)];
    // A sweep lasting seconds (a loaded machine): claim after claim comes and none starts another.
    for (let i = 0; i < 20; i++) {
      await clock.advance(500);
      calls.push(sweeper.sometimes(sweep));
    }
    expect(state).toMatchObject({ started: 1, most: 1 });
    await endOne();
    await Promise.all(calls);
    // Once it is over, the next claim sweeps again.
    const next = sweeper.sometimes(sweep);
    expect(state.started).toBe(2);
    await endOne();
    await next;
  });

  it('still sweeps at most every 100 ms when sweeps are quick', async () => {
    const clock = new ManualClock();
    const sweeper = new LeaseSweeper(clock);
    let count = 0;
    const sweep = async () => {
      count++;
    };
    await sweeper.sometimes(sweep);
    clock.advance(50);
    await sweeper.sometimes(sweep);
    expect(count).toBe(1);
    clock.advance(50);
    await sweeper.sometimes(sweep);
    expect(count).toBe(2);
  });

  it('a sweep asked for now (the server loop, expireLeases) runs after the one in flight, never beside it', async () => {
    const sweeper = new LeaseSweeper(new ManualClock());
    const { sweep, state, endOne } = slowSweeps();
    const claims = sweeper.sometimes(sweep);
    const asked = [sweeper.now(sweep), sweeper.now(sweep)];
    await endOne();
    expect(state).toMatchObject({ started: 2, running: 1 });
    await endOne();
    expect(state).toMatchObject({ started: 3, running: 1 });
    await endOne();
    await claims;
    // Each asker got a sweep that started after it asked: the second and the third.
    expect(await Promise.all(asked)).toEqual([2, 3]);
    expect(state.most).toBe(1);
  });

  it('a sweep that fails frees the way for the next', async () => {
    const sweeper = new LeaseSweeper(new ManualClock());
    await expect(sweeper.now(() => Promise.reject(new Error('store_full')))).rejects.toThrow('store_full');
    expect(await sweeper.now(async () => 7)).toBe(7);
  });
});
