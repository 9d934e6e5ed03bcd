import { describe, expect, it } from 'vitest';
import type { Baton, CompletionResult, CreateTaskInput } from '../../src/app/baton.js';
import { LIMITS } from '../../src/core/limits.js';
import type { Task } from '../../src/core/types.js';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

const tokenOf = (task: Task | undefined): number => {
  if (!task?.lease) throw new Error('expected a claimed task with a lease');
  return task.lease.token;
};

/** The refusal of one answer, as code and message, for comparing with what `complete` throws. */
function refusedAs(result: CompletionResult | undefined): { code: string; message: string } {
  if (!result || result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  return { code: result.error.code, message: result.error.message };
}

/** Creates these tasks and claims them all as `w1`, in the order created. */
async function claimed(baton: Baton, inputs: CreateTaskInput[]): Promise<Task[]> {
  for (const input of inputs) await baton.createTask({ ...input, noBreakdown: true });
  const tasks = await baton.claimMany({ workerId: 'w1', limit: inputs.length });
  expect(tasks).toHaveLength(inputs.length);
  return tasks.sort((a, b) => a.id - b.id);
}

/** `completeMany`: each item by the rules of `complete`, answered per item; a bad batch changes nothing. */
export function completionContract(store: () => StoreHarness): void {
  describe('completeMany', () => {
    it('completes every task it is given, in order, with results; a review task is submitted as complete would', async () => {
      const baton = await store().open();
      const [reviewed, a, b] = await claimed(baton, [{ title: 'reviewed', review: true }, { title: 'a' }, { title: 'b' }]);
      const items = [
        { id: b?.id ?? 0, workerId: 'w1', token: tokenOf(b), result: { n: 2 } },
        { id: a?.id ?? 0, workerId: 'w1', token: tokenOf(a), artifacts: ['out.txt', ' '] },
        { id: reviewed?.id ?? 0, workerId: 'w1', token: tokenOf(reviewed) },
      ];
      const results = await baton.completeMany(items);
      expect(results.map((r) => [r.id, r.ok])).toEqual(items.map((i) => [i.id, true]));
      expect(results[0]).toMatchObject({ task: { status: 'completed', result: { n: 2 }, lease: null } });
      expect(results[1]).toMatchObject({ task: { status: 'completed', artifacts: [{ path: 'out.txt', by: 'w1' }] } });
      expect(results[2]).toMatchObject({ task: { status: 'reviewing', review: { submittedBy: 'w1' } } });
      expect(await baton.completeMany([])).toEqual([]);
    });

    it('refuses an item as complete would (wrong token, unknown task, not claimed) and completes the others', async () => {
      const baton = await store().open();
      const [good, stale] = await claimed(baton, [{ title: 'good' }, { title: 'stale' }]);
      const queued = await baton.createTask({ title: 'never claimed', noBreakdown: true });
      const wrongToken = { id: stale?.id ?? 0, workerId: 'w1', token: tokenOf(stale) + 1 };
      const unknown = { id: 999_999, workerId: 'w1', token: 1 };
      const notClaimed = { id: queued.id, workerId: 'w1', token: 1 };
      const results = await baton.completeMany([
        wrongToken,
        { id: good?.id ?? 0, workerId: 'w1', token: tokenOf(good) },
        unknown,
        notClaimed,
      ]);
      expect(results.map((r) => r.ok)).toEqual([false, true, false, false]);
      expect(results[1]).toMatchObject({ task: { id: good?.id, status: 'completed' } });
      // The refused tasks are untouched: the single call refuses each of them alike now.
      for (const [item, result] of [
        [wrongToken, results[0]],
        [unknown, results[2]],
        [notClaimed, results[3]],
      ] as const) {
        const { id, ...input } = item;
        const single = await refusal(baton.complete(id, input));
        expect(refusedAs(result)).toEqual({ code: single.code, message: single.message });
      }
      expect(refusedAs(results[2]).code).toBe('task_not_found');
      expect((await baton.getTask(stale?.id ?? 0)).status).toBe('executing');
    });

    it(`refuses a batch of more than ${LIMITS.completionBatch} items, or a malformed item, whole and before any change`, async () => {
      const baton = await store().open();
      const [task] = await claimed(baton, [{ title: 'kept' }]);
      const valid = { id: task?.id ?? 0, workerId: 'w1', token: tokenOf(task) };
      const over = Array.from({ length: LIMITS.completionBatch + 1 }, () => valid);
      await expectRefusedUnchanged(baton, () => baton.completeMany(over), 'invalid_argument', 'items');
      const malformed = [valid, { id: valid.id, workerId: 'w1', token: -3 }];
      await expectRefusedUnchanged(baton, () => baton.completeMany(malformed), 'invalid_argument', 'items.1.token');
      expect((await baton.getTask(valid.id)).status).toBe('executing');
    });
  });
}
