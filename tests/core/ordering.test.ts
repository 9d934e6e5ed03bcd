import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canDo, claimOrder, compareForClaim, PRIORITY_RANK, type Rankable } from '../../src/core/ordering.js';
import { PRIORITIES, type Priority } from '../../src/core/types.js';
import { NOW } from '../helpers/task.js';

const AGING = 60; // minutes per priority level
const MINUTE = 60_000;

interface Waiting {
  id: number;
  priority: Priority;
  readyAt: number;
  capabilities: string[];
}

const rank = (t: Waiting): Rankable => ({
  id: t.id,
  claimOrder: claimOrder(t.readyAt, t.priority, AGING),
  capabilities: t.capabilities,
});
const firstOf = (tasks: Waiting[]) => [...tasks].map(rank).sort(compareForClaim)[0]?.id;

describe('claim order (SPEC §4)', () => {
  it('takes priority first among tasks that waited the same time', () => {
    const tasks = PRIORITIES.map((priority, i) => ({ id: 10 - i, priority, readyAt: NOW, capabilities: [] }));
    const order = tasks.map(rank).sort(compareForClaim);
    expect(order.map((r) => r.id)).toEqual([10, 9, 8, 7, 6]); // critical … maintenance
  });

  it('lets an old low task overtake a new higher one after enough wait, and not before', () => {
    const levels = PRIORITY_RANK.high - PRIORITY_RANK.low;
    const high = { id: 1, priority: 'high' as const, readyAt: NOW, capabilities: [] };
    const lowWaited = (minutes: number) => ({
      id: 2,
      priority: 'low' as const,
      readyAt: NOW - minutes * MINUTE,
      capabilities: [],
    });
    expect(firstOf([high, lowWaited(levels * AGING - 1)])).toBe(1);
    expect(firstOf([high, lowWaited(levels * AGING + 1)])).toBe(2);
  });

  it('breaks a tie by fit (more of the worker’s capabilities used), then by id', () => {
    const a = { id: 1, claimOrder: 100, capabilities: ['x'] };
    const b = { id: 2, claimOrder: 100, capabilities: ['x', 'y'] };
    const c = { id: 3, claimOrder: 100, capabilities: ['x', 'y'] };
    const d = { id: 4, claimOrder: 99, capabilities: [] };
    expect([a, c, b, d].sort(compareForClaim).map((r) => r.id)).toEqual([4, 2, 3, 1]);
  });

  it('property: a task that waited longer than the aging step per level of difference goes first', () => {
    const task = fc.record({
      priority: fc.constantFrom(...PRIORITIES),
      waitedMinutes: fc.integer({ min: 0, max: 10 * AGING }),
    });
    fc.assert(
      fc.property(task, task, (x, y) => {
        // Effective priority in minutes of waiting (an integer, so ties are exact).
        const effective = (t: typeof x) => PRIORITY_RANK[t.priority] * AGING + t.waitedMinutes;
        fc.pre(effective(x) !== effective(y));
        const tasks = [x, y].map((t, i) => ({
          id: i + 1,
          priority: t.priority,
          readyAt: NOW - t.waitedMinutes * MINUTE,
          capabilities: [],
        }));
        expect(firstOf(tasks)).toBe(effective(x) > effective(y) ? 1 : 2);
      }),
    );
  });

  it('property: claim order is a total order, so the pick does not depend on how tasks were listed', () => {
    const rankable = fc.record({
      id: fc.integer({ min: 1, max: 1_000_000 }),
      claimOrder: fc.integer({ min: -5, max: 5 }),
      capabilities: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(rankable, { selector: (r) => r.id, maxLength: 20 }), fc.nat(), (tasks, seed) => {
        const shuffled = [...tasks].sort((p, q) => ((p.id * 7919 + seed) % 101) - ((q.id * 7919 + seed) % 101));
        const a = [...tasks].sort(compareForClaim).map((r) => r.id);
        const b = shuffled.sort(compareForClaim).map((r) => r.id);
        expect(b).toEqual(a);
        for (let i = 0; i + 1 < a.length; i++) {
          const p = tasks.find((t) => t.id === a[i])!;
          const q = tasks.find((t) => t.id === a[i + 1])!;
          expect(compareForClaim(p, q)).toBeLessThan(0);
        }
      }),
    );
  });
});

describe('canDo (capabilities)', () => {
  it('needs every capability of the task; a task without any suits every worker', () => {
    expect(canDo([], [])).toBe(true);
    expect(canDo(['x'], [])).toBe(true);
    expect(canDo(['react', 'ui'], ['react'])).toBe(true);
    expect(canDo(['react'], ['react', 'ui'])).toBe(false);
    expect(canDo([], ['react'])).toBe(false);
  });

  it('property: allowed exactly when the task capabilities are a subset of the worker’s', () => {
    const caps = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'));
    fc.assert(
      fc.property(caps, caps, (worker, task) => {
        expect(canDo(worker, task)).toBe(task.every((c) => worker.includes(c)));
      }),
    );
  });
});
