import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { ManualClock } from '../../src/core/clock.js';
import type { Task } from '../../src/core/types.js';
import { postgresBackend, type StoreBackend, sqliteBackend } from '../helpers/stores.js';

/**
 * Retention on a clock the test moves, on both stores: old events of finished tasks (and of no
 * task) go, every event of an open task stays; finished tasks go once nothing open stands on them,
 * chains of them in one run; what goes is archived first; the server's duty runs once per period.
 * (A PostgreSQL store stamps rows with the database's clock, so the test's clock starts at now.)
 */

const DAY = 86_400_000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function open(
  backend: StoreBackend,
  clock: ManualClock,
): Promise<{ baton: LocalBaton; reopen: () => Promise<LocalBaton> }> {
  const store = await backend.fresh();
  cleanup.push(() => store.remove());
  store.configure({ retention: { events: '90d', completedTasks: '180d', every: '1h' } });
  const reopen = async () => {
    const baton = await openBaton({ db: store.db, cwd: store.cwd, actor: 'tester', clock });
    cleanup.push(() => baton.close());
    return baton;
  };
  return { baton: await reopen(), reopen };
}

async function finish(baton: LocalBaton, task: Task, how: 'complete' | 'fail' = 'complete'): Promise<void> {
  const claimed = await baton.claimTask(task.id, { workerId: 'w1' });
  const ref = { workerId: 'w1', token: claimed.lease?.token as number };
  if (how === 'complete') await baton.complete(task.id, ref);
  else await baton.fail(task.id, { ...ref, error: 'broke' });
}

function archived(file: string): { format: string; tasks: number[]; events: number[] } {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n');
  const rows = lines.map((l) => JSON.parse(l));
  const ids = (part: string) => rows.filter((r) => r.part === part).map((r) => r.row.id as number);
  return { format: rows[0].format, tasks: ids('tasks'), events: ids('events') };
}

function retentionTests(backend: StoreBackend): void {
  describe(backend.name, () => {
    it('removes old events and finished tasks nothing open stands on, archived first; open work keeps all', async () => {
      const clock = new ManualClock(Date.now());
      const { baton } = await open(backend, clock);
      await baton.registerWorker({ id: 'w1' });
      const a = await baton.createTask({ title: 'a: done, b stood on it' });
      const b = await baton.createTask({ title: 'b: done', dependsOn: [a.id] });
      const c = await baton.createTask({ title: 'c: done, open d stands on it' });
      const d = await baton.createTask({ title: 'd: open', dependsOn: [c.id] });
      const p = await baton.createTask({ title: 'p: open parent' });
      const q = await baton.createTask({ title: 'q: done child of open p', parentId: p.id });
      const f = await baton.createTask({ title: 'f: failed', maxRetries: 0 });
      const x = await baton.createTask({ title: 'x: cancelled' });
      const o = await baton.createTask({ title: 'o: open, old history' });
      await finish(baton, a);
      await finish(baton, b);
      await finish(baton, c);
      await finish(baton, q);
      await finish(baton, f, 'fail');
      await baton.cancelTask(x.id);
      const stillOpen = [d.id, p.id, o.id];
      const eventsOf = async (id: number) => (await baton.events({ taskId: id })).map((e) => e.id);
      const openEvents = (await Promise.all(stillOpen.map(eventsOf))).flat();
      const all = await baton.events({});

      // Day 100: events are past 90 days, finished tasks not yet past 180.
      await clock.advance(100 * DAY);
      const dry = await baton.gc({ dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, configured: true, tasks: { removed: 0 }, archive: null });
      expect(dry.events.removed).toBe(all.length - openEvents.length);
      expect((await baton.events({})).length).toBe(all.length);
      const first = await baton.gc();
      expect(first).toMatchObject({ tasks: { removed: 0, events: 0 }, events: { removed: all.length - openEvents.length } });
      expect((await baton.events({})).map((e) => e.id)).toEqual(openEvents.sort((m, n) => m - n));
      const firstArchive = archived(first.archive as string);
      expect(firstArchive.format).toBe('baton-archive');
      expect(firstArchive.events.sort((m, n) => m - n)).toEqual(all.map((e) => e.id).filter((id) => !openEvents.includes(id)));
      // A note on a completed task: its retention still runs from its completion; the note goes with it.
      await baton.addNote(a.id, { text: 'post-mortem written' });

      // Day 181: finished tasks are past 180 days.
      await clock.advance(81 * DAY);
      const second = await baton.gc();
      const gone = [a.id, b.id, f.id, x.id].sort((m, n) => m - n);
      expect(second.tasks).toEqual({ removed: 4, events: 1 });
      const left = (await baton.listTasks({ limit: 100 })).tasks.map((t) => t.id);
      expect(left).toEqual([c.id, d.id, p.id, q.id, o.id]);
      expect(archived(second.archive as string).tasks.sort((m, n) => m - n)).toEqual(gone);
      // Open work lost nothing: its links and its whole history are there.
      expect((await baton.getTask(d.id)).dependsOn).toEqual([c.id]);
      for (const id of stillOpen) expect((await eventsOf(id)).length).toBeGreaterThan(0);
      expect((await baton.events({})).map((e) => e.id)).toEqual(openEvents);
      // Once the open task is done and old, the rest follows.
      await finish(baton, d);
      await clock.advance(181 * DAY);
      expect((await baton.gc()).tasks.removed).toBe(2);
      expect((await baton.listTasks({})).tasks.map((t) => t.id)).toEqual([p.id, q.id, o.id]);
    }, 60_000);

    it('the server’s duty cleans once per period, whichever of two servers sharing the store asks', async () => {
      const clock = new ManualClock(Date.now());
      const { baton, reopen } = await open(backend, clock);
      const replica = await reopen();
      const t = await baton.createTask({ title: 'old' });
      await baton.cancelTask(t.id);
      await clock.advance(200 * DAY);
      const ticks = await Promise.all([baton.maintain(), replica.maintain()]);
      expect(ticks.filter((tick) => tick.gc !== null)).toHaveLength(1);
      expect(ticks.find((tick) => tick.gc)?.gc?.tasks.removed).toBe(1);
      expect(ticks.every((tick) => tick.backup === null)).toBe(true);
      // Same period: nothing more; the next hour: one clean-up again.
      expect((await baton.maintain()).gc).toBeNull();
      await clock.advance(3_600_000);
      const next = await Promise.all([replica.maintain(), baton.maintain()]);
      expect(next.filter((tick) => tick.gc !== null)).toHaveLength(1);
      const status = (await baton.status()).maintenance.retention;
      expect(status).toMatchObject({ configured: true, everySeconds: 3600, last: { tasks: { removed: 0 } } });
    }, 60_000);
  });
}

describe('retention on an injected clock', () => {
  retentionTests(sqliteBackend);
  retentionTests(postgresBackend);
});
