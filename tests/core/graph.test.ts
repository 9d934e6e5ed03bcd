import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertNoCycle, type Edge, findAnyCycle, findCycle } from '../../src/core/graph.js';
import { thrown } from '../helpers/task.js';

/** Independent reference: can `goal` be reached from `start` along the edges? */
function reaches(edges: readonly Edge[], start: number, goal: number): boolean {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length > 0) {
    const node = todo.pop() as number;
    if (node === goal) return true;
    for (const [from, to] of edges) {
      if (from === node && !seen.has(to)) {
        seen.add(to);
        todo.push(to);
      }
    }
  }
  return false;
}

/** Independent reference: Kahn's algorithm. */
function isAcyclic(edges: readonly Edge[]): boolean {
  const nodes = new Set(edges.flat());
  const indegree = new Map([...nodes].map((n) => [n, 0]));
  for (const [, to] of edges) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  const ready = [...nodes].filter((n) => indegree.get(n) === 0);
  let removed = 0;
  while (ready.length > 0) {
    const node = ready.pop() as number;
    removed++;
    for (const [from, to] of edges) {
      if (from !== node) continue;
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) ready.push(to);
    }
  }
  return removed === nodes.size;
}

/** A reported cycle must be a real one: closed, and every step an edge of the graph. */
function expectRealCycle(cycle: number[], edges: readonly Edge[]): void {
  expect(cycle.length).toBeGreaterThanOrEqual(2);
  expect(cycle[0]).toBe(cycle[cycle.length - 1]);
  for (let i = 0; i + 1 < cycle.length; i++) {
    expect(edges.some(([f, t]) => f === cycle[i] && t === cycle[i + 1])).toBe(true);
  }
}

const edgeArb = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }));

describe('findCycle / assertNoCycle', () => {
  it('reports the actual cycle path that a new dependency would close', () => {
    // 3 depends on 7, 7 depends on 5; now 5 would depend on 3.
    const existing: Edge[] = [
      [3, 7],
      [7, 5],
      [7, 9],
    ];
    expect(findCycle(existing, [[5, 3]])).toEqual([5, 3, 7, 5]);
  });

  it('refuses with dependency_cycle, naming the field and the cycle', () => {
    const err = thrown(() =>
      assertNoCycle(
        [
          [3, 7],
          [7, 5],
        ],
        [[5, 3]],
      ),
    );
    expect(err.code).toBe('dependency_cycle');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('dependsOn');
    expect(err.message).toContain('5 -> 3 -> 7 -> 5');
    expect(err.details).toEqual({ field: 'dependsOn', cycle: [5, 3, 7, 5] });
  });

  it('finds a self-dependency as the shortest cycle', () => {
    expect(findCycle([], [[4, 4]])).toEqual([4, 4]);
  });

  it('accepts a diamond, which has two paths but no cycle', () => {
    const existing: Edge[] = [
      [2, 1],
      [3, 1],
    ];
    expect(findCycle(existing, [[4, 2]])).toBeNull();
    expect(() =>
      assertNoCycle(
        [...existing, [4, 2]],
        [
          [4, 3],
          [5, 4],
        ],
      ),
    ).not.toThrow();
  });

  it('finds a cycle closed by two edges added together', () => {
    expect(
      findCycle(
        [],
        [
          [1, 2],
          [2, 1],
        ],
      ),
    ).toEqual([1, 2, 1]);
  });

  it('handles a chain deep enough to overflow a recursive search', () => {
    const chain: Edge[] = Array.from({ length: 50_000 }, (_, i) => [i + 2, i + 1] as const);
    expect(findCycle(chain, [[1, 50_001]])?.length).toBe(50_002);
    expect(findAnyCycle([...chain, [1, 50_001]])?.length).toBe(50_002);
  });

  it('property: a new edge closes a cycle exactly when its target already reaches its source', () => {
    fc.assert(
      fc.property(fc.array(edgeArb, { maxLength: 30 }), edgeArb, (existing, added) => {
        const cycle = findCycle(existing, [added]);
        const [from, to] = added;
        expect(cycle !== null).toBe(from === to || reaches(existing, to, from));
        if (cycle) {
          expect(cycle[0]).toBe(from);
          expectRealCycle(cycle, [...existing, added]);
        }
      }),
    );
  });

  it('property: adding only the edges assertNoCycle allows never leaves a cycle undetected', () => {
    fc.assert(
      fc.property(fc.array(edgeArb, { maxLength: 60 }), (candidates) => {
        const graph: Edge[] = [];
        for (const edge of candidates) {
          const refused = findCycle(graph, [edge]) !== null;
          // Refused exactly when accepting it would make the graph cyclic.
          expect(refused).toBe(!isAcyclic([...graph, edge]));
          if (!refused) graph.push(edge);
        }
        expect(isAcyclic(graph)).toBe(true);
        expect(findAnyCycle(graph)).toBeNull();
      }),
    );
  });
});

describe('findAnyCycle (checking imported data)', () => {
  it('returns null for an acyclic graph and a real cycle otherwise', () => {
    expect(
      findAnyCycle([
        [1, 2],
        [2, 3],
        [1, 3],
      ]),
    ).toBeNull();
    expect(
      findAnyCycle([
        [1, 2],
        [2, 3],
        [3, 1],
        [4, 1],
      ]),
    ).toEqual([1, 2, 3, 1]);
  });

  it('property: finds a cycle exactly when the graph has one, and it is a real one', () => {
    fc.assert(
      fc.property(fc.array(edgeArb, { maxLength: 40 }), (edges) => {
        const cycle = findAnyCycle(edges);
        expect(cycle === null).toBe(isAcyclic(edges));
        if (cycle) expectRealCycle(cycle, edges);
      }),
    );
  });
});
