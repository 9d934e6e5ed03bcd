import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import { refusal, type StoreHarness } from './harness.js';

const ids = (page: { tasks: { id: number }[] }) => page.tasks.map((t) => t.id);

async function seed(baton: Baton) {
  const add = (title: string, extra: Record<string, unknown> = {}) => baton.createTask({ title, noBreakdown: true, ...extra });
  const login = await add('Fix the login form', { priority: 'high', capabilities: ['web'], description: 'users cannot sign in' });
  const deploy = await add('Deploy nightly build', { priority: 'low', capabilities: ['ops'], tags: ['nightly'] });
  const report = await add('Write the weekly report', { priority: 'critical', description: 'numbers from the login service' });
  const docs = await add('Docs for deployment', { priority: 'normal', capabilities: ['docs', 'web'], tags: ['nightly'] });
  return { login, deploy, report, docs };
}

/** Steering: text search, filters, sort, counts per status, bulk changes all or nothing. */
export function steerContract(store: () => StoreHarness): void {
  describe('steering: search, filters, sort, counts, bulk', () => {
    it('searches title and description by word prefix, every word required, index kept in step with edits', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      expect(ids(await baton.listTasks({ q: 'login' }))).toEqual([t.login.id, t.report.id]);
      expect(ids(await baton.listTasks({ q: 'deploy' }))).toEqual([t.deploy.id, t.docs.id]);
      expect(ids(await baton.listTasks({ q: 'LOGIN form' }))).toEqual([t.login.id]);
      expect((await baton.listTasks({ q: 'nothing-like-this' })).total).toBe(0);
      await baton.updateTask(t.deploy.id, { title: 'Ship the release' });
      expect(ids(await baton.listTasks({ q: 'deploy' }))).toEqual([t.docs.id]);
      expect(ids(await baton.listTasks({ q: 'release' }))).toEqual([t.deploy.id]);
    });

    it('filters by priorities, capabilities and open; sorts by priority, claim, updated', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      expect(ids(await baton.listTasks({ priority: ['high', 'low'] }))).toEqual([t.login.id, t.deploy.id]);
      expect(ids(await baton.listTasks({ capability: ['web'] }))).toEqual([t.login.id, t.docs.id]);
      expect(ids(await baton.listTasks({ capability: ['ops', 'docs'] }))).toEqual([t.deploy.id, t.docs.id]);
      await baton.cancelTask(t.deploy.id);
      const open = await baton.listTasks({ open: true });
      expect([ids(open), open.total]).toEqual([[t.login.id, t.report.id, t.docs.id], 3]);
      expect(ids(await baton.listTasks({ sort: 'priority' }))).toEqual([t.report.id, t.login.id, t.docs.id, t.deploy.id]);
      expect(ids(await baton.listTasks({ sort: 'claim', open: true }))).toEqual([t.report.id, t.login.id, t.docs.id]);
      await baton.updateTask(t.login.id, { description: 'touched last' });
      expect(ids(await baton.listTasks({ sort: 'updated' }))[0]).toBe(t.login.id);
      // A sorted listing pages by position, each task once.
      const first = await baton.listTasks({ sort: 'priority', limit: 3 });
      const second = await baton.listTasks({ sort: 'priority', limit: 3, cursor: first.next as string });
      expect([...ids(first), ...ids(second)]).toEqual([t.report.id, t.login.id, t.docs.id, t.deploy.id]);
    });

    it('lists queued and reserved tasks together in claim order, page after page', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      await baton.registerWorker({ id: 'alice', capabilities: ['web', 'ops', 'docs'] });
      await baton.assignTask(t.login.id, 'alice');
      const order = [t.report.id, t.login.id, t.docs.id, t.deploy.id];
      const waiting = { status: ['queued', 'assigned'] as ('queued' | 'assigned')[], sort: 'claim' as const };
      expect(ids(await baton.listTasks(waiting))).toEqual(order);
      const first = await baton.listTasks({ ...waiting, limit: 3 });
      const second = await baton.listTasks({ ...waiting, limit: 3, cursor: first.next as string });
      expect([ids(first), ids(second), first.total]).toEqual([order.slice(0, 3), order.slice(3), 4]);
      expect(ids(await baton.listTasks({ ...waiting, priority: ['high', 'low'] }))).toEqual([t.login.id, t.deploy.id]);
    });

    it('counts tasks per status for a filter', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      await baton.pauseTask(t.docs.id);
      const counts = await baton.countTasks({ tag: 'nightly' });
      expect(counts.total).toBe(2);
      expect([counts.byStatus.queued, counts.byStatus.paused, counts.byStatus.completed]).toEqual([1, 1, 0]);
      expect((await baton.countTasks({ q: 'login' })).total).toBe(2);
      expect((await baton.countTasks()).total).toBe(4);
    });

    it('tells parents (tasks broken into subtasks) from the work itself, in listings and counts', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      const epic = await baton.createTask({ title: 'Parent of several steps' });
      const { subtasks } = await baton.breakdown(epic.id);
      expect(subtasks.length).toBeGreaterThan(1);
      const parents = await baton.listTasks({ parents: true });
      expect([ids(parents), parents.total]).toEqual([[epic.id], 1]);
      // The executing parent follows its subtasks; the executing column of a board leaves it out.
      expect((await baton.listTasks({ status: ['executing'], parents: false })).total).toBe(0);
      const work = await baton.listTasks({ parents: false, limit: 100 });
      expect(ids(work)).toEqual([t.login.id, t.deploy.id, t.report.id, t.docs.id, ...subtasks.map((s) => s.id)]);
      expect((await baton.countTasks({ parents: true })).byStatus.executing).toBe(1);
    });

    it('refuses bad filters with the field named', async () => {
      const baton = await store().open();
      for (const [query, field] of [
        [{ q: '' }, 'q'],
        [{ q: '!!!' }, 'q'],
        [{ q: 'x'.repeat(501) }, 'q'],
        [{ priority: ['urgent'] }, 'priority'],
        [{ sort: 'random' }, 'sort'],
      ] as const) {
        const err = await refusal(baton.listTasks(query as never));
        expect([err.code, String(err.details?.field).split('.')[0]]).toEqual(['invalid_argument', field]);
      }
      const err = await refusal(baton.countTasks({ priority: ['urgent' as never] }));
      expect(err.code).toBe('invalid_argument');
    });

    it('bulk: pauses, resumes, re-prioritises and cancels several tasks by ids or by a filter', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      const paused = await baton.bulk({ action: 'pause', ids: [t.login.id, t.docs.id] });
      expect([paused.count, paused.tasks.map((x) => x.status)]).toEqual([2, ['paused', 'paused']]);
      const resumed = await baton.bulk({ action: 'resume', where: { status: ['paused'] } });
      expect(resumed.ids).toEqual([t.login.id, t.docs.id]);
      expect((await baton.getTask(t.docs.id)).status).toBe('queued');
      await baton.bulk({ action: 'update', where: { tag: 'nightly' }, priority: 'critical' });
      expect((await baton.getTask(t.deploy.id)).priority).toBe('critical');
      expect((await baton.getTask(t.login.id)).priority).toBe('high');
      const cancelled = await baton.bulk({ action: 'cancel', ids: [t.deploy.id, t.docs.id], reason: 'not now' });
      expect(cancelled.tasks.map((x) => x.status)).toEqual(['cancelled', 'cancelled']);
      const retried = await baton.bulk({ action: 'retry', where: { status: ['cancelled'], tag: 'nightly' } });
      expect([retried.count, (await baton.getTask(t.deploy.id)).status]).toEqual([2, 'queued']);
    });

    it('bulk is all or nothing: one task in a wrong state or unknown refuses the batch, naming it', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      await baton.cancelTask(t.report.id);
      const before = await baton.latestEventId();
      const wrong = await refusal(baton.bulk({ action: 'pause', ids: [t.login.id, t.report.id, t.docs.id] }));
      expect([wrong.code, wrong.details?.id]).toEqual(['illegal_transition', t.report.id]);
      expect(wrong.message).toContain(`task ${t.report.id}`);
      const missing = await refusal(baton.bulk({ action: 'cancel', ids: [t.login.id, 999_999] }));
      expect([missing.code, missing.details?.id]).toEqual(['task_not_found', 999_999]);
      expect((await baton.getTask(t.login.id)).status).toBe('queued');
      expect((await baton.getTask(t.docs.id)).status).toBe('queued');
      expect(await baton.latestEventId()).toBe(before);
    });

    it('bulk dry run checks everything and changes nothing; bad bulk input is refused', async () => {
      const baton = await store().open();
      const t = await seed(baton);
      const dry = await baton.bulk({ action: 'cancel', where: { capability: ['web'] }, dryRun: true });
      expect([dry.dryRun, dry.count, dry.tasks.map((x) => x.status)]).toEqual([true, 2, ['cancelled', 'cancelled']]);
      expect((await baton.getTask(t.login.id)).status).toBe('queued');
      const none = await baton.bulk({ action: 'retry', where: { tag: 'no-such-tag' } });
      expect(none.count).toBe(0);
      for (const input of [
        { action: 'pause' },
        { action: 'pause', ids: [t.login.id], where: { tag: 'x' } },
        { action: 'pause', where: {} },
        { action: 'update', ids: [t.login.id] },
        { action: 'explode', ids: [t.login.id] },
        { action: 'pause', ids: [] },
        { action: 'pause', ids: [-1] },
      ]) {
        expect((await refusal(baton.bulk(input as never))).code).toBe('invalid_argument');
      }
      expect((await baton.getTask(t.login.id)).version).toBe(t.login.version);
    });
  });
}
