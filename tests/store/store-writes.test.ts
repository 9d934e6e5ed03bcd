import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { postgresBackend, type StoreBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';

// What the `Store` promises beneath the app, on both backends: the contract suite cannot see these
// through `Baton` (its calls never write a stale row or half a transaction), so they are tested here.
describe.each([sqliteBackend, postgresBackend])('store: $name', (backend: StoreBackend) => {
  let opened: { baton: LocalBaton; store: TestStore }[] = [];
  afterEach(async () => {
    for (const { baton, store } of opened) {
      await baton.close();
      await store.remove();
    }
    opened = [];
  });

  const open = async (): Promise<LocalBaton> => {
    const store = await backend.fresh();
    const baton = await openBaton({ db: store.db, cwd: store.cwd, create: true, actor: 'store-tester' });
    opened.push({ baton, store });
    return baton;
  };

  const dumpOf = async (baton: LocalBaton) => {
    const { exportedAt: _at, ...rest } = await baton.store.dump();
    return rest;
  };

  it('counts ready tasks per priority and, in the database, those that became ready before a cut-off', async () => {
    const baton = await open();
    await baton.createTask({ title: 'Critical A', priority: 'critical' });
    await baton.createTask({ title: 'Critical B', priority: 'critical' });
    await baton.createTask({ title: 'Low', priority: 'low' });
    const held = await baton.createTask({ title: 'Paused', priority: 'critical' });
    await baton.pauseTask(held.id);
    await baton.createTask({ title: 'Later', priority: 'high', runAfter: new Date(Date.now() + 3_600_000).toISOString() });
    const now = await baton.store.now();
    const none = { critical: null, high: null, normal: null, low: null, maintenance: null };
    const counts = await baton.store.readyCounts(now, none);
    expect(counts.byPriority).toEqual({ critical: 2, high: 0, normal: 0, low: 1, maintenance: 0 });
    expect(counts.breaches).toEqual({ critical: 0, high: 0, normal: 0, low: 0, maintenance: 0 });
    // every critical task became ready before a cut-off in the future: both breach; low has no target here
    const breached = await baton.store.readyCounts(now, { ...none, critical: now + 1000 });
    expect(breached.breaches).toEqual({ critical: 2, high: 0, normal: 0, low: 0, maintenance: 0 });
  });

  it('says whether any task is ready, and with a command, without counting them', async () => {
    const baton = await open();
    expect(await baton.store.hasTasks({ ready: true })).toBe(false);
    const later = await baton.createTask({ title: 'Later', runAfter: new Date(Date.now() + 3_600_000).toISOString() });
    expect(await baton.store.hasTasks({ ready: true })).toBe(false);
    expect(await baton.store.hasTasks({ status: ['queued'] })).toBe(true);
    await baton.updateTask(later.id, { runAfter: null });
    expect(await baton.store.hasTasks({ ready: true })).toBe(true);
    expect(await baton.store.hasTasks({ ready: true, withCommand: true })).toBe(false);
    await baton.createTask({ title: 'Script', command: 'true' });
    expect(await baton.store.hasTasks({ ready: true, withCommand: true })).toBe(true);
  });

  it('writes nothing when the version read in the transaction is stale', async () => {
    const baton = await open();
    const stale = await baton.createTask({ title: 'Guarded' });
    await baton.updateTask(stale.id, { title: 'Newer' });
    const before = await dumpOf(baton);
    const written = await baton.store.transaction((tx) => tx.updateTask(stale, { title: 'Lost update' }));
    expect(written).toBeUndefined();
    expect(await dumpOf(baton)).toEqual(before);
  });

  it('a transaction that throws writes nothing', async () => {
    const baton = await open();
    const task = await baton.createTask({ title: 'Atomic' });
    const before = await dumpOf(baton);
    const err = await baton.store
      .transaction(async (tx) => {
        const current = (await tx.getTask(task.id))!;
        await tx.updateTask(current, { title: 'Half written' });
        const { id: _id, version: _version, updatedAt: _updatedAt, ...fields } = current;
        await tx.insertTask({ ...fields, title: 'Also half written' });
        throw new Error('boom');
      })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.message).toBe('boom');
    expect(await dumpOf(baton)).toEqual(before);
  });
});
