import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { newTaskRecord } from '../../src/core/task-records.js';
import type { NewEvent } from '../../src/core/types.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { freshSchema } from './pg-test-db.js';

/**
 * An event is sent without waiting for its answer: it travels with the next statement or the
 * COMMIT, one round trip fewer per write. A failed event must still fail its transaction, write
 * nothing, and be the error the caller sees.
 */
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function fresh(): Promise<Store> {
  const db = await freshSchema();
  cleanup.push(db.cleanup);
  const store = await openPostgresStore({ url: db.url });
  cleanup.push(() => store.close());
  return store;
}

const record = (title: string, now: number) =>
  newTaskRecord({ title }, { now, policy: DEFAULT_POLICY, actor: 'tester', complexity: 'simple', depsOpen: false });

const event = (taskId: number, actor: string): NewEvent => ({
  taskId,
  workerId: null,
  actor,
  type: 'created',
  at: new Date().toISOString(),
  changes: {},
  data: null,
});

// PostgreSQL text cannot hold a NUL character: the insert of such an event fails in the database.
const UNWRITABLE = 'bad\u0000actor';

describe('events sent along with the next statement', () => {
  it('are written with their task, in order, and the event log reads them', async () => {
    const store = await fresh();
    const ids = await store.transaction(async (tx) => {
      const a = await tx.insertTask(record('first', tx.now));
      await tx.appendEvent(event(a.id, 'one'));
      const b = await tx.insertTask(record('second', tx.now));
      await tx.appendEvent(event(b.id, 'two'));
      // A read after them in the transaction sees both tasks.
      expect((await tx.getTasks([a.id, b.id])).map((t) => t.title)).toEqual(['first', 'second']);
      return [a.id, b.id];
    });
    const events = await store.events({ limit: 10 });
    expect(events.map((e) => [e.taskId, e.actor])).toEqual([
      [ids[0], 'one'],
      [ids[1], 'two'],
    ]);
  });

  it('a failed event as the last write: the COMMIT rolls back, nothing is written, its error is thrown', async () => {
    const store = await fresh();
    const failed = await store
      .transaction(async (tx) => {
        const task = await tx.insertTask(record('never', tx.now));
        await tx.appendEvent(event(task.id, UNWRITABLE));
      })
      .then(
        () => null,
        (err: unknown) => err as { code?: string; message?: string },
      );
    expect(failed, 'the transaction must fail').not.toBeNull();
    expect(failed?.message).not.toMatch(/current transaction is aborted/);
    expect(await store.countTasks({})).toBe(0);
    expect(await store.events({ limit: 10 })).toEqual([]);
    // The connection went back to the pool in order: the store goes on writing.
    await store.transaction(async (tx) => {
      const task = await tx.insertTask(record('after', tx.now));
      await tx.appendEvent(event(task.id, 'fine'));
    });
    expect(await store.countTasks({})).toBe(1);
  });

  it('a failed event followed by more statements: the event’s error is thrown, not the aborted transaction’s', async () => {
    const store = await fresh();
    const failed = await store
      .transaction(async (tx) => {
        const task = await tx.insertTask(record('never', tx.now));
        await tx.appendEvent(event(task.id, UNWRITABLE));
        await tx.getTask(task.id);
      })
      .then(
        () => null,
        (err: unknown) => err as { code?: string; message?: string },
      );
    expect(failed).not.toBeNull();
    expect(failed?.code).not.toBe('25P02');
    expect(failed?.message).not.toMatch(/current transaction is aborted/);
    expect(await store.countTasks({})).toBe(0);
  });
});
