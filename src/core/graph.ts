import { BatonError } from './errors.js';

export type Edge = readonly [from: number, to: number];

/**
 * Finds a cycle that adding `added` edges (task → dependency) would close, given the existing
 * edges. Returns the cycle as a path that starts and ends at the same task (`[5, 3, 7, 5]`), or
 * null. Only edges reachable from the added dependencies matter, so callers may pass that subgraph.
 */
export function findCycle(existing: Iterable<Edge>, added: Iterable<Edge>): number[] | null {
  const next = new Map<number, number[]>();
  const link = ([from, to]: Edge) => {
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  };
  for (const e of existing) link(e);
  const newEdges = [...added];
  for (const e of newEdges) link(e);
  for (const [from, to] of newEdges) {
    const path = pathBetween(next, to, from);
    if (path) return [from, ...path];
  }
  return null;
}

/** Depth-first search for a path `start … goal`, iterative so deep chains cannot overflow. */
function pathBetween(next: Map<number, number[]>, start: number, goal: number): number[] | null {
  const parent = new Map<number, number>();
  const stack = [start];
  const seen = new Set([start]);
  while (stack.length > 0) {
    const node = stack.pop() as number;
    if (node === goal) {
      const path = [node];
      let cur = node;
      while (cur !== start) {
        cur = parent.get(cur) as number;
        path.push(cur);
      }
      return path.reverse();
    }
    for (const n of next.get(node) ?? []) {
      if (seen.has(n)) continue;
      seen.add(n);
      parent.set(n, node);
      stack.push(n);
    }
  }
  return null;
}

export function assertNoCycle(existing: Iterable<Edge>, added: Iterable<Edge>): void {
  const cycle = findCycle(existing, added);
  if (cycle) {
    throw new BatonError('dependency_cycle', `dependsOn: would create a cycle ${cycle.join(' -> ')}`, {
      field: 'dependsOn',
      cycle,
    });
  }
}

/** Any cycle in a whole graph (used to check imported data), or null. Linear time. */
export function findAnyCycle(edges: Iterable<Edge>): number[] | null {
  const next = new Map<number, number[]>();
  for (const [from, to] of edges) {
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  }
  const state = new Map<number, 'open' | 'done'>();
  for (const root of next.keys()) {
    if (state.has(root)) continue;
    // Iterative DFS; `path` holds the nodes currently open, `cursor` the next child index of each.
    const path: number[] = [root];
    const cursor: number[] = [0];
    state.set(root, 'open');
    while (path.length > 0) {
      const node = path[path.length - 1] as number;
      const children = next.get(node) ?? [];
      const i = cursor[cursor.length - 1] as number;
      if (i >= children.length) {
        state.set(node, 'done');
        path.pop();
        cursor.pop();
        continue;
      }
      cursor[cursor.length - 1] = i + 1;
      const child = children[i] as number;
      const s = state.get(child);
      if (s === 'open') return [...path.slice(path.indexOf(child)), child];
      if (s === undefined) {
        state.set(child, 'open');
        path.push(child);
        cursor.push(0);
      }
    }
  }
  return null;
}
