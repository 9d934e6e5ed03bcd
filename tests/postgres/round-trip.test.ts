import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import type { StoreDump } from '../../src/store/store.js';
import { freshSchema, openPg } from './pg-test-db.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function sqlite(): Promise<LocalBaton> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-pg-roundtrip-'));
  const baton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'mover' });
  cleanup.push(
    async () => rmSync(dir, { recursive: true, force: true }),
    () => baton.close(),
  );
  return baton;
}

async function postgres(): Promise<LocalBaton> {
  const db = await freshSchema();
  cleanup.push(db.cleanup);
  const baton = await openPg({ db: db.url, actor: 'mover' });
  cleanup.push(() => baton.close());
  return baton;
}

/** Tasks in many states, payloads whose key order and number forms must survive, history, workers. */
async function populate(baton: LocalBaton): Promise<void> {
  await baton.registerWorker({ id: 'ann', name: 'Ann «ü» 🚀', capabilities: ['sql', 'ui'], host: 'box', pid: 42 });
  await baton.registerWorker({ id: 'ben' });
  const root = await baton.createTask({
    title: 'Move up to PostgreSQL',
    description: 'line 1\nline 2 — "quoted" \\ back',
    estimateMinutes: 90.25,
    tags: ['ops', 'db'],
    capabilities: ['sql'],
    input: { z: 1, a: [1.5, 'two', { nested: null, '': true }], big: 12345678901234 },
    retryPolicy: { policy: 'fixed', baseSeconds: 2, maxSeconds: 2, jitter: 0 },
  });
  const child = await baton.createTask({ title: 'Child', parentId: root.id, priority: 'high', dependsOn: [root.id] });
  const soon = await baton.createTask({ title: 'Soon', runAfter: new Date(Date.now() + 86_400_000).toISOString() });
  await baton.createTask({ title: 'Waits for two', dependsOn: [child.id, soon.id], review: true });
  const reserved = await baton.createTask({ title: 'Reserved', priority: 'low' });
  await baton.assignTask(reserved.id, 'ben');
  const fails = await baton.createTask({ title: 'Fails', priority: 'critical', maxRetries: 1 });

  const f = (await baton.claim({ workerId: 'ann' }))!;
  expect(f.id).toBe(fails.id);
  await baton.fail(f.id, { workerId: 'ann', token: f.lease!.token, error: 'exit 2' });
  const r = (await baton.claim({ workerId: 'ann', capabilities: ['sql', 'ui'], leaseSeconds: 900 }))!;
  expect(r.id).toBe(root.id);
  await baton.reportProgress(r.id, { workerId: 'ann', token: r.lease!.token, progress: 12.5, note: 'n1', step: 'copy' });
  await baton.complete(r.id, { workerId: 'ann', token: r.lease!.token, result: { rows: 3, ok: true }, artifacts: ['dump.sql'] });
  const c = (await baton.claim({ workerId: 'ben', capabilities: [] }))!;
  expect(c.id).toBe(child.id);
  const cancelled = await baton.createTask({ title: 'Cancelled', input: 'just a string' });
  await baton.cancelTask(cancelled.id, { reason: 'not needed' });
}

const body = ({ exportedAt: _at, schemaVersion: _v, ...rest }: StoreDump) => rest;

describe('moving a store between backends', () => {
  it('SQLite → PostgreSQL → SQLite export/import round trip equals the original', async () => {
    const original = await sqlite();
    await populate(original);
    const fromSqlite = await original.exportData();
    expect(new Set(fromSqlite.tasks.map((t) => t.status)).size).toBeGreaterThanOrEqual(5);

    const pg = await postgres();
    await pg.importData(JSON.parse(JSON.stringify(fromSqlite)));
    const fromPg = await pg.exportData();
    // Backends number their own migrations; everything else must be identical, to the byte.
    expect(JSON.stringify(body(fromPg))).toBe(JSON.stringify(body(fromSqlite)));

    const back = await sqlite();
    await back.importData(JSON.parse(JSON.stringify(fromPg)));
    expect(JSON.stringify(body(await back.exportData()))).toBe(JSON.stringify(body(fromSqlite)));
  });

  it('the imported PostgreSQL store carries on where SQLite left off', async () => {
    const original = await sqlite();
    await populate(original);
    const dump = await original.exportData();
    const pg = await postgres();
    await pg.importData(JSON.parse(JSON.stringify(dump)));

    const held = dump.tasks.find((t) => t.status === 'executing')!;
    const done = await pg.complete(held.id, { workerId: held.lease!.owner, token: held.lease!.token });
    expect(done.status).toBe('completed');
    const next = await pg.createTask({ title: 'after the move' });
    expect(next.id).toBe(Math.max(...dump.tasks.map((t) => t.id)) + 1);
    const [event] = await pg.events({ afterId: Math.max(...dump.events.map((e) => e.id)), limit: 1 });
    expect(event?.id).toBe(Math.max(...dump.events.map((e) => e.id)) + 1);
  });
});
