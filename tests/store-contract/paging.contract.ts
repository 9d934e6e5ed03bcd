import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/limits.js';
import { refusal, type StoreHarness } from './harness.js';

/** Listings come in pages of at most LIMITS.listLimit tasks, and page on with a cursor. */
export function pagingContract(store: () => StoreHarness): void {
  describe('paging: capped pages and cursors', () => {
    it('pages through every task once, in id order, even while tasks are created between pages', async () => {
      const baton = await store().open();
      const made: number[] = [];
      for (let i = 0; i < 25; i++) made.push((await baton.createTask({ title: `p${i}`, noBreakdown: true })).id);
      const seen: number[] = [];
      let page = await baton.listTasks({ limit: 10 });
      expect(page.total).toBe(25);
      seen.push(...page.tasks.map((t) => t.id));
      // Created after the first page: it must come once, at the end, not shift the pages.
      made.push((await baton.createTask({ title: 'late', noBreakdown: true })).id);
      while (page.next) {
        page = await baton.listTasks({ limit: 10, cursor: page.next });
        seen.push(...page.tasks.map((t) => t.id));
      }
      expect(seen).toEqual(made);
      expect(page.next).toBeNull();
    });

    it('pages the ready queue in claim order', async () => {
      const baton = await store().open();
      for (const priority of ['low', 'critical', 'normal', 'high', 'low'] as const) {
        await baton.createTask({ title: priority, priority, noBreakdown: true });
      }
      const first = await baton.listTasks({ ready: true, limit: 2 });
      const second = await baton.listTasks({ ready: true, limit: 2, cursor: first.next as string });
      const third = await baton.listTasks({ ready: true, limit: 2, cursor: second.next as string });
      expect([...first.tasks, ...second.tasks, ...third.tasks].map((t) => t.priority)).toEqual([
        'critical',
        'high',
        'normal',
        'low',
        'low',
      ]);
      expect(third.next).toBeNull();
    });

    it('reads a batch of tasks by id, and the subtasks of several parents, in one listing', async () => {
      const baton = await store().open();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await baton.createTask({ title: `b${i}`, noBreakdown: true })).id);
      const [a, b, c] = ids as [number, number, number];
      const byId = await baton.listTasks({ ids: [c, a, 999_999] });
      expect(byId.tasks.map((t) => t.id)).toEqual([a, c]);
      expect((await baton.listTasks({ ids: [] })).tasks).toEqual([]);
      const childOfA = await baton.createTask({ title: 'child a', parentId: a, noBreakdown: true });
      const childOfB = await baton.createTask({ title: 'child b', parentId: b, noBreakdown: true });
      await baton.createTask({ title: 'child c', parentId: c, noBreakdown: true });
      const children = await baton.listTasks({ parentIds: [a, b] });
      expect(children.tasks.map((t) => t.id)).toEqual([childOfA.id, childOfB.id]);
      const tooMany = await refusal(baton.listTasks({ ids: Array.from({ length: LIMITS.listLimit + 1 }, (_, i) => i + 1) }));
      expect([tooMany.code, tooMany.details?.field]).toEqual(['invalid_argument', 'ids']);
    });

    it('reads the newest events of several tasks in one call', async () => {
      const baton = await store().open();
      const a = await baton.createTask({ title: 'ev a', noBreakdown: true });
      const b = await baton.createTask({ title: 'ev b', noBreakdown: true });
      const c = await baton.createTask({ title: 'ev c', noBreakdown: true });
      for (const id of [a.id, b.id]) {
        await baton.pauseTask(id);
        await baton.resumeTask(id);
      }
      const newest = await baton.events({ taskIds: [a.id, b.id], perTask: 2 });
      expect(newest.map((e) => [e.taskId, e.type])).toEqual([
        [a.id, 'paused'],
        [a.id, 'resumed'],
        [b.id, 'paused'],
        [b.id, 'resumed'],
      ]);
      const all = await baton.events({ taskIds: [a.id, c.id] });
      expect(all.map((e) => [e.taskId, e.type])).toEqual([
        [a.id, 'created'],
        [c.id, 'created'],
        [a.id, 'paused'],
        [a.id, 'resumed'],
      ]);
    });

    it('refuses a page larger than the cap, and a cursor it did not give, naming the field', async () => {
      const baton = await store().open();
      await baton.createTask({ title: 'one', noBreakdown: true });
      const tooMany = await refusal(baton.listTasks({ limit: LIMITS.listLimit + 1 }));
      expect([tooMany.code, tooMany.details?.field]).toEqual(['invalid_argument', 'limit']);
      const readyPage = await baton.listTasks({ ready: true, limit: 1 });
      expect(readyPage.next).toBeNull();
      const { next } = await baton.listTasks({ limit: 1, status: ['queued'] });
      expect(next).toBeNull();
      for (const cursor of ['garbage', Buffer.from('{"afterId":-1}').toString('base64url')]) {
        const err = await refusal(baton.listTasks({ cursor }));
        expect([err.code, err.details?.field]).toEqual(['invalid_argument', 'cursor']);
      }
    });
  });
}
