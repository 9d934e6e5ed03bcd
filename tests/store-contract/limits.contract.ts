import { describe, expect, it } from 'vitest';
import type { Baton, DependencyInput } from '../../src/app/baton.js';
import { createDeps, LIMIT_CASES, type LimitCase, PARKED } from '../helpers/limit-cases.js';
import { expectRefusedUnchanged, type StoreHarness } from './harness.js';

const WORKER = 'limit-worker';

/** The task a case writes to: held by WORKER for lease writes, any task otherwise. */
async function target(baton: Baton, c: LimitCase): Promise<{ id: number; token?: number }> {
  if (c.call === 'create') return { id: 0 };
  if (c.call === 'note' || c.call === 'depend') {
    return { id: (await baton.createTask({ title: 'target', capabilities: [PARKED], noBreakdown: true })).id };
  }
  // Retried never, so that a failed target does not come back to a later claim.
  const task = await baton.createTask({ title: 'target', priority: 'critical', maxRetries: 0, noBreakdown: true });
  const claimed = await baton.claim({ workerId: WORKER });
  expect(claimed?.id).toBe(task.id);
  return { id: task.id, token: claimed?.lease?.token as number };
}

function perform(baton: Baton, c: LimitCase, to: { id: number; token?: number }, input: Record<string, unknown>) {
  const lease = { workerId: WORKER, token: to.token };
  switch (c.call) {
    case 'create':
      return baton.createTask(input as never);
    case 'progress':
      return baton.reportProgress(to.id, { ...lease, ...input } as never);
    case 'note':
      return baton.addNote(to.id, { workerId: WORKER, ...input } as never);
    case 'complete':
      return baton.complete(to.id, { ...lease, ...input });
    case 'fail':
      return baton.fail(to.id, { ...lease, ...input } as never);
    case 'depend':
      return baton.addDependencies(to.id, input.dependsOn as DependencyInput[]);
  }
}

/** Every limit holds in the app: one past it is refused naming the field, and the limit itself is kept. */
export function limitContract(store: () => StoreHarness): void {
  describe('limits: refused one past, kept at the limit', () => {
    it.each(LIMIT_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      const baton = await store().open();
      const deps = c.deps ? await createDeps(baton) : [];
      const to = await target(baton, c);
      const err = await expectRefusedUnchanged(baton, () => perform(baton, c, to, c.over(deps)), 'invalid_argument', c.field);
      expect(err.message).toMatch(new RegExp(`^${c.field.replace('.', '\\.')}: `));
      await expect(perform(baton, c, to, c.at(deps))).resolves.toBeTruthy();
    });
  });
}
