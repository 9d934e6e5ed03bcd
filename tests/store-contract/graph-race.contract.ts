import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { StoreHarness } from './harness.js';

const ADDERS = 8;
const ROUNDS = 5;

/** Whether following `dependsOn` from any task comes back to it. */
async function hasCycle(baton: Baton, ids: number[]): Promise<boolean> {
  const edges = new Map<number, number[]>();
  for (const id of ids) edges.set(id, (await baton.getTask(id)).dependsOn);
  const state = new Map<number, 'open' | 'done'>();
  const visit = (id: number): boolean => {
    if (state.get(id) === 'done') return false;
    if (state.get(id) === 'open') return true;
    state.set(id, 'open');
    if ((edges.get(id) ?? []).some(visit)) return true;
    state.set(id, 'done');
    return false;
  };
  return ids.some(visit);
}

/** Cycle checks hold under concurrency: adders racing to close a ring never all get through. */
export function graphRaceContract(store: () => StoreHarness): void {
  describe('dependency cycles under concurrent additions', () => {
    it(`${ADDERS} adders each closing part of a ring at once, on tasks no other adder touches: exactly one is refused, no cycle is ever stored`, async () => {
      const baton = await store().open();
      for (let round = 0; round < ROUNDS; round++) {
        const ring: number[] = [];
        for (let i = 0; i < ADDERS; i++)
          ring.push((await baton.createTask({ title: `ring ${round}.${i}`, noBreakdown: true })).id);
        // Any seven of these edges make a path; all eight make a cycle.
        const results = await Promise.allSettled(
          ring.map((id, i) => baton.addDependencies(id, [ring[(i + 1) % ADDERS] as number])),
        );
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(refused.map((r) => (r.reason as { code?: string }).code)).toEqual(['dependency_cycle']);
        expect(await hasCycle(baton, ring)).toBe(false);
      }
    });
  });
}
