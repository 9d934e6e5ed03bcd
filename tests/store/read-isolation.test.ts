import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { newTaskRecord } from '../../src/core/task-records.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { NewTask, Store } from '../../src/store/store.js';
import { dropSchema, newSchemaName, PG_URL } from '../postgres/pg-test-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Backend {
  name: string;
  open(): Promise<Store>;
  /** Whether reads outside a transaction answer while one is open (rather than wait for it). */
  readsDuringTransaction: boolean;
}

const backends: Backend[] = [
  {
    name: 'sqlite file',
    readsDuringTransaction: true,
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-isolation-'));
      const store = openSqliteStore(join(dir, 'baton.db'), { create: true });
      cleanups.push(
        async () => rmSync(dir, { recursive: true, force: true }),
        () => store.close(),
      );
      return store;
    },
  },
  {
    name: 'sqlite :memory:',
    readsDuringTransaction: false,
    open: async () => {
      const store = openSqliteStore(':memory:', { create: true });
      cleanups.push(() => store.close());
      return store;
    },
  },
  {
    name: 'postgres',
    readsDuringTransaction: true,
    open: async () => {
      const schema = newSchemaName();
      const store = await openPostgresStore({ url: PG_URL, schema });
      cleanups.push(
        () => dropSchema(schema),
        () => store.close(),
      );
      return store;
    },
  },
];

const timer = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signal(): { fired: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}

describe.each(backends)('reads outside a transaction on $name', (backend) => {
  it('never see the writes of a transaction still open, nor of one rolled back', async () => {
    const store = await backend.open();
    const existing = await store.transaction((tx) => tx.insertTask(newTask('Before', tx.now)));

    const wrote = signal();
    const readsDone = signal();
    let transactionEnded = false;
    const doomed = store.transaction(async (tx) => {
      await tx.insertTask(newTask('Never committed', tx.now));
      await tx.updateTask(existing, { title: 'Changed then undone' });
      wrote.fire();
      // Held open until the reads below have answered, where they can answer during it; a
      // store whose reads wait for the transaction gets them after this timer.
      await (backend.readsDuringTransaction ? Promise.race([readsDone.fired, timer(10_000)]) : timer(50));
      transactionEnded = true;
      throw new Error('changed my mind');
    });
    const refused = expect(doomed).rejects.toThrow('changed my mind');

    await wrote.fired;
    const during = await Promise.all([
      store.getTask(existing.id),
      store.getTask(existing.id + 1),
      store.listTasks({}),
      store.countTasks({}),
      store.getTasks([existing.id + 1, existing.id]),
    ]);
    readsDone.fire();
    if (backend.readsDuringTransaction) expect(transactionEnded).toBe(false);
    const [task, inserted, list, count, batch] = during;
    expect(task?.title).toBe('Before');
    expect(task?.version).toBe(existing.version);
    expect(inserted).toBeUndefined();
    expect(list.map((t) => t.title)).toEqual(['Before']);
    expect(count).toBe(1);
    expect(batch.map((t) => [t.title, t.version])).toEqual([['Before', existing.version]]);

    await refused;
    expect((await store.getTask(existing.id))?.title).toBe('Before');
    expect((await store.listTasks({})).map((t) => t.title)).toEqual(['Before']);
  });
});

describe.each(backends)('a batched read on $name', (backend) => {
  it('gives the tasks of the ids that exist, once each, in id order, whatever order they are asked in', async () => {
    const store = await backend.open();
    const tasks = await store.transaction(async (tx) => {
      const made = [];
      for (const title of ['A', 'B', 'C', 'D']) made.push(await tx.insertTask(newTask(title, tx.now)));
      return made;
    });
    const [a, b, , d] = tasks.map((t) => t.id) as [number, number, number, number];
    const read = await store.getTasks([d, a, 999_999, d, b]);
    expect(read.map((t) => t.title)).toEqual(['A', 'B', 'D']);
    expect(read[0]).toEqual(await store.getTask(a));
    expect(await store.getTasks([])).toEqual([]);
  });
});

function newTask(title: string, now: number): NewTask {
  return newTaskRecord({ title }, { now, policy: DEFAULT_POLICY, actor: null, complexity: 'simple', depsOpen: false });
}
