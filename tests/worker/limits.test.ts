import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBaton } from '../../src/app/local-baton.js';
import { LIMITS } from '../../src/core/limits.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { work } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { WorkerEvent } from '../../src/worker/types.js';
import type { TaskHandler } from '../../src/worker/work.js';
import { waitFor } from './helpers.js';

/**
 * The app refuses input past its limits; a worker never sends any, so a long failure or a huge
 * result ends the attempt properly instead of leaving the task to a lapsing lease.
 */
describe('a worker stays within the limits', () => {
  let baton: LocalBaton;
  let errors: WorkerEvent[];
  beforeEach(() => {
    baton = new LocalBaton({ store: openSqliteStore(':memory:', { create: true }), policy: DEFAULT_POLICY, actor: 'test' });
    errors = [];
  });
  afterEach(() => baton.close());

  const run = async (handler: TaskHandler) => {
    const task = await baton.createTask({ title: 'limits', maxRetries: 0 });
    const worker = work(baton, {
      id: 'w-limits',
      handler,
      onEvent: (e: WorkerEvent) => {
        if (e.type === 'error') errors.push(e);
      },
    });
    await waitFor('the attempt to end', async () => ['completed', 'failed'].includes((await baton.getTask(task.id)).status));
    await worker.close();
    return baton.showTask(task.id);
  };

  it('sends the end of a long error, marked as cut', async () => {
    const { task } = await run(() => {
      throw new Error(`${'noise '.repeat(10_000)}THE REASON`);
    });
    expect(task.status).toBe('failed');
    expect(task.lastError).toHaveLength(LIMITS.errorChars);
    expect(task.lastError?.startsWith('…')).toBe(true);
    expect(task.lastError?.endsWith('THE REASON')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('fails an attempt whose result is too large to keep, saying so', async () => {
    const { task } = await run(() => ({ blob: 'x'.repeat(LIMITS.resultBytes) }));
    expect(task.status).toBe('failed');
    expect(task.lastError).toMatch(new RegExp(`bytes as JSON; at most ${LIMITS.resultBytes} are kept`));
    expect(errors).toEqual([]);
  });

  it('cuts a long step name and note rather than losing the report', async () => {
    const { task } = await run(async (_task, ctx) => {
      ctx.progress(50, 's'.repeat(LIMITS.stepChars * 2));
      await ctx.note('n'.repeat(LIMITS.noteChars * 2));
      await new Promise((r) => setTimeout(r, 50));
      return { ok: true };
    });
    expect(task.status).toBe('completed');
    expect(task.checkpoints.map((c) => c.name.length)).toEqual([LIMITS.stepChars]);
    expect(task.notes.map((n) => n.text.length)).toEqual([LIMITS.noteChars]);
    expect(errors).toEqual([]);
  });
});
