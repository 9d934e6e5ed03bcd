import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

/** Each worker claims once and completes what it got with `result(worker)`. */
async function attemptBy(baton: Baton, worker: string, result: unknown): Promise<Task> {
  const [task] = await baton.claimMany({ workerId: worker, limit: 5 });
  if (!task) throw new Error(`${worker} got nothing`);
  return baton.complete(task.id, { workerId: worker, token: task.lease?.token, result });
}

const attemptsOf = async (baton: Baton, id: number) => (await baton.listTasks({ parentId: id })).tasks;

/** Swarms (`core/swarm.ts`): attempts by different workers, and each merge. */
export function swarmContract(store: () => StoreHarness): void {
  describe('swarms', () => {
    it('refuses a swarm larger than the workers able to take it, and merge fields without a swarm, changing nothing', async () => {
      const baton = await store().open();
      for (const id of ['a', 'b']) await baton.registerWorker({ id, capabilities: ['code'] });
      await baton.registerWorker({ id: 'c', capabilities: ['docs'] });
      const err = await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 's', capabilities: ['code'], swarm: 3 }),
        'swarm_too_large',
        'swarm',
      );
      expect(err.details).toMatchObject({ size: 3, capable: 2, workers: ['a', 'b'] });
      await expectRefusedUnchanged(baton, () => baton.createTask({ title: 's', merge: 'vote' }), 'invalid_argument', 'merge');
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 's', swarm: 2, merge: 'command' }),
        'invalid_argument',
        'mergeCommand',
      );
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 's', swarm: 2, assignee: 'a' }),
        'invalid_argument',
        'swarm',
      );
    });

    it('never gives one worker two attempts, and merges by vote (a tie goes to the earliest attempt)', async () => {
      const baton = await store().open();
      for (const id of ['a', 'b', 'c']) await baton.registerWorker({ id });
      const parent = await baton.createTask({ title: 'Decide', swarm: 3, merge: 'vote' });
      expect(parent).toMatchObject({ status: 'executing', lease: null, swarm: { role: 'parent', size: 3, merge: 'vote' } });
      const attempts = await attemptsOf(baton, parent.id);
      expect((await refusal(baton.breakdown(attempts[0]?.id as number))).code).toBe('illegal_transition');
      expect(attempts.map((a) => a.swarm)).toEqual([1, 2, 3].map((n) => ({ role: 'attempt', of: parent.id, attempt: n })));
      // A multi-claim takes one attempt; asking again gets none, by id it is refused.
      const [mine, ...more] = await baton.claimMany({ workerId: 'a', limit: 5 });
      expect(more).toEqual([]);
      expect(await baton.claimMany({ workerId: 'a', limit: 5 })).toEqual([]);
      const other = attempts.find((t) => t.id !== mine?.id) as Task;
      expect((await refusal(baton.claimTask(other.id, { workerId: 'a' }))).code).toBe('swarm_sibling_taken');
      await baton.complete(mine?.id as number, { workerId: 'a', token: mine?.lease?.token, result: { answer: 'x' } });
      await attemptBy(baton, 'b', { answer: 'y' });
      expect((await baton.getTask(parent.id)).status).toBe('executing');
      await attemptBy(baton, 'c', { answer: 'y' });
      const merged = await baton.getTask(parent.id);
      expect(merged).toMatchObject({ status: 'completed', result: { answer: 'y' } });

      const tie = await baton.createTask({ title: 'Tie', swarm: 2, merge: 'vote' });
      await attemptBy(baton, 'b', 'first');
      await attemptBy(baton, 'a', 'second');
      expect(await baton.getTask(tie.id)).toMatchObject({ status: 'completed', result: 'first' });
    });

    it('merges all (the list), first (cancelling the rest), and fails when no attempt completed', async () => {
      const baton = await store().open();
      for (const id of ['a', 'b']) await baton.registerWorker({ id });
      const all = await baton.createTask({ title: 'All', swarm: 2, merge: 'all' });
      await attemptBy(baton, 'a', 1);
      await attemptBy(baton, 'b', 2);
      expect((await baton.getTask(all.id)).result).toEqual([1, 2]);

      const first = await baton.createTask({ title: 'First', swarm: 2, merge: 'first' });
      const winner = await attemptBy(baton, 'b', 'fast');
      expect(await baton.getTask(first.id)).toMatchObject({ status: 'completed', result: 'fast' });
      const rest = (await attemptsOf(baton, first.id)).filter((t) => t.id !== winner.id);
      expect(rest.map((t) => t.status)).toEqual(['cancelled']);

      const doomed = await baton.createTask({ title: 'Doomed', swarm: 2, maxRetries: 0 });
      for (const w of ['a', 'b']) {
        const [t] = await baton.claimMany({ workerId: w, limit: 1 });
        await baton.fail(t?.id as number, { workerId: w, token: t?.lease?.token, error: 'no' });
      }
      expect(await baton.getTask(doomed.id)).toMatchObject({ status: 'failed' });
    });

    it('runs a merge step with the results as its input, and completes when that step does', async () => {
      const baton = await store().open();
      for (const id of ['a', 'b', 'm']) await baton.registerWorker({ id });
      const parent = await baton.createTask({ title: 'Draft', swarm: 2, merge: 'command', mergeCommand: 'merge-drafts' });
      const one = await attemptBy(baton, 'a', 'draft a');
      const two = await attemptBy(baton, 'b', 'draft b');
      const step = await baton.getTask(parent.id);
      expect(step).toMatchObject({ status: 'queued', command: 'merge-drafts' });
      expect(step.input).toEqual({
        results: [
          { task: one.id, by: 'a', result: 'draft a' },
          { task: two.id, by: 'b', result: 'draft b' },
        ],
      });
      const [claimed] = await baton.claimMany({ workerId: 'm', limit: 1 });
      expect(claimed?.id).toBe(parent.id);
      await baton.complete(parent.id, { workerId: 'm', token: claimed?.lease?.token, result: 'merged' });
      expect(await baton.getTask(parent.id)).toMatchObject({ status: 'completed', result: 'merged' });
    });
  });
}
