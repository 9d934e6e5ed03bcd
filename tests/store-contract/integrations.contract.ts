import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { refusal, type StoreHarness } from './harness.js';

const SECRET = 'contract-hook-secret-of-length';

const signed = (body: string, delivery: string, secret = SECRET) => ({
  body,
  headers: {
    'x-github-delivery': delivery,
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  },
});

/** Inbound hooks and GitHub links, as every door gives them (GitHub itself: tests/server/github.test.ts). */
export function integrationContract(store: () => StoreHarness): void {
  describe('inbound hooks and GitHub links', () => {
    it('makes a task from a signed delivery once; a replay or a bad signature changes nothing', async () => {
      const baton = await store().openWithConfig({
        hooks: { intake: { secret: SECRET, task: { title: 'payload.title', tags: "['intake']" } } },
      });
      const body = JSON.stringify({ title: 'From outside' });
      const receipt = await baton.receiveHook('intake', signed(body, 'one'));
      expect(receipt).toMatchObject({ hook: 'intake', deliveryId: 'one', outcome: 'task', runId: null });
      expect(await baton.getTask(receipt.taskId as number)).toMatchObject({ title: 'From outside', tags: ['intake'] });
      expect((await refusal(baton.receiveHook('intake', signed(body, 'one')))).code).toBe('delivery_replayed');
      expect((await refusal(baton.receiveHook('intake', signed(body, 'two', 'another-secret-entirely')))).code).toBe(
        'invalid_signature',
      );
      const tooLong = JSON.stringify({ title: 'x'.repeat(500) });
      expect((await refusal(baton.receiveHook('intake', signed(tooLong, 'three')))).code).toBe('invalid_argument');
      expect((await refusal(baton.receiveHook('elsewhere', signed(body, 'four')))).code).toBe('hook_not_found');
      expect((await baton.listTasks({})).tasks.length).toBe(1);
      // A delivery refused for its content was not recorded: once mended, the same id is taken.
      const mended = await baton.receiveHook('intake', signed(JSON.stringify({ title: 'Mended' }), 'three'));
      expect(mended.outcome).toBe('task');
    });

    it('lists no links in a new store, syncs nothing without repositories, refuses a bad repository name', async () => {
      const baton = await store().open();
      expect(await baton.githubLinks()).toEqual([]);
      expect(await baton.githubSync()).toEqual({ repos: [], imported: 0, tasksUpdated: 0, issuesUpdated: 0, notModified: 0 });
      expect((await refusal(baton.githubImport({ repo: 'no slash here' }))).code).toBe('invalid_argument');
      expect((await refusal(baton.githubLinks({ repo: 'acme/..' }))).code).toBe('invalid_argument');
    });
  });
}
