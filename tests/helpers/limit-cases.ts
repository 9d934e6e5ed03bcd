import type { Baton } from '../../src/app/baton.js';
import { LIMITS } from '../../src/core/limits.js';

/**
 * Inputs at and just past Baton's limits, shared by the LocalBaton, HTTP and MCP tests: each door
 * must refuse the `over` input with invalid_argument naming `field`, and accept the `at` input.
 */

/** The `Baton` call a case makes. */
export type LimitCall = 'create' | 'progress' | 'note' | 'complete' | 'fail' | 'depend';

export interface LimitCase {
  name: string;
  call: LimitCall;
  /** The field the refusal names. */
  field: string;
  /** Input beyond the limit; `deps` are existing task ids. */
  over(deps: readonly number[]): Record<string, unknown>;
  /** The same input exactly at the limit. */
  at(deps: readonly number[]): Record<string, unknown>;
  /** Whether it needs DEPS_NEEDED existing tasks. */
  deps?: true;
}

/** Tasks the cases create carry this capability, so that no worker in a test ever claims them. */
export const PARKED = 'parked';
/** Existing tasks a dependency case needs. */
export const DEPS_NEEDED = LIMITS.dependsOn + 1;

const x = (n: number) => 'x'.repeat(n);
const names = (n: number) => Array.from({ length: n }, (_, i) => `name-${i}`);
const task = (extra: Record<string, unknown>) => ({ title: 'limit case', noBreakdown: true, ...extra });

export const LIMIT_CASES: LimitCase[] = [
  {
    name: 'a title',
    call: 'create',
    field: 'title',
    over: () => task({ title: x(LIMITS.titleChars + 1), capabilities: [PARKED] }),
    at: () => task({ title: x(LIMITS.titleChars), capabilities: [PARKED] }),
  },
  {
    name: 'a description',
    call: 'create',
    field: 'description',
    over: () => task({ description: x(LIMITS.descriptionChars + 1), capabilities: [PARKED] }),
    at: () => task({ description: x(LIMITS.descriptionChars), capabilities: [PARKED] }),
  },
  {
    name: 'capabilities',
    call: 'create',
    field: 'capabilities',
    over: () => task({ capabilities: [PARKED, ...names(LIMITS.capabilities)] }),
    at: () => task({ capabilities: [PARKED, ...names(LIMITS.capabilities - 1)] }),
  },
  {
    name: 'dependencies of a new task',
    call: 'create',
    field: 'dependsOn',
    deps: true,
    over: (deps) => task({ dependsOn: deps.slice(0, LIMITS.dependsOn + 1), capabilities: [PARKED] }),
    at: (deps) => task({ dependsOn: deps.slice(0, LIMITS.dependsOn), capabilities: [PARKED] }),
  },
  {
    name: 'dependencies added',
    call: 'depend',
    field: 'dependsOn',
    deps: true,
    over: (deps) => ({ dependsOn: deps.slice(0, LIMITS.dependsOn + 1) }),
    at: (deps) => ({ dependsOn: deps.slice(0, LIMITS.dependsOn) }),
  },
  {
    name: 'a dependency condition',
    call: 'depend',
    field: 'dependsOn.0.if',
    deps: true,
    // A CEL string literal: a condition that can be read, of exactly the length given.
    over: (deps) => ({ dependsOn: [{ id: deps[0], if: `'${x(LIMITS.conditionChars - 1)}'` }] }),
    at: (deps) => ({ dependsOn: [{ id: deps[0], if: `'${x(LIMITS.conditionChars - 2)}'` }] }),
  },
  {
    name: 'progress',
    call: 'progress',
    field: 'progress',
    over: () => ({ progress: 101 }),
    at: () => ({ progress: 100 }),
  },
  {
    name: 'a progress note',
    call: 'progress',
    field: 'note',
    over: () => ({ progress: 10, note: x(LIMITS.noteChars + 1) }),
    at: () => ({ progress: 10, note: x(LIMITS.noteChars) }),
  },
  {
    name: 'a step name',
    call: 'progress',
    field: 'step',
    over: () => ({ progress: 10, step: x(LIMITS.stepChars + 1) }),
    at: () => ({ progress: 10, step: x(LIMITS.stepChars) }),
  },
  {
    name: 'a note',
    call: 'note',
    field: 'text',
    over: () => ({ text: x(LIMITS.noteChars + 1) }),
    at: () => ({ text: x(LIMITS.noteChars) }),
  },
  {
    name: 'a fail error',
    call: 'fail',
    field: 'error',
    over: () => ({ error: x(LIMITS.errorChars + 1) }),
    at: () => ({ error: x(LIMITS.errorChars) }),
  },
  {
    name: 'the number of artifacts',
    call: 'complete',
    field: 'artifacts',
    over: () => ({ artifacts: names(LIMITS.artifacts + 1) }),
    at: () => ({ artifacts: names(LIMITS.artifacts) }),
  },
  {
    name: 'an artifact path',
    call: 'complete',
    field: 'artifacts.0',
    over: () => ({ artifacts: [x(LIMITS.artifactChars + 1)] }),
    at: () => ({ artifacts: [x(LIMITS.artifactChars)] }),
  },
  {
    // A JSON string takes its length plus two quotes.
    name: 'a result',
    call: 'complete',
    field: 'result',
    over: () => ({ result: x(LIMITS.resultBytes - 1) }),
    at: () => ({ result: x(LIMITS.resultBytes - 2) }),
  },
];

/** Creates `DEPS_NEEDED` parked tasks for the dependency cases; returns their ids. */
export async function createDeps(baton: Baton): Promise<number[]> {
  const ids: number[] = [];
  // A batch at a time: through a server, one at a time would cost a round trip each.
  for (let i = 0; i < DEPS_NEEDED; i += 50) {
    const batch = Array.from({ length: Math.min(50, DEPS_NEEDED - i) }, (_, j) =>
      baton.createTask({ title: `dependency ${i + j}`, capabilities: [PARKED], noBreakdown: true }),
    );
    ids.push(...(await Promise.all(batch)).map((t) => t.id));
  }
  return ids;
}
