import { describe, expect, it } from 'vitest';
import { refusal, type StoreHarness } from './harness.js';

/** Webhooks and alerts, as every door gives them (delivery itself: tests/server/webhooks*.test.ts). */
export function webhookContract(store: () => StoreHarness): void {
  describe('webhooks', () => {
    it('adds (secret once), lists, logs and removes a hook; refuses bad input changing nothing', async () => {
      const baton = await store().open();
      const added = await baton.addWebhook({ url: 'http://127.0.0.1:9/hook', events: ['task.failed', 'alert.*'] });
      expect(added.secret).toMatch(/^whsec_/);
      expect(added.webhook).toMatchObject({
        url: 'http://127.0.0.1:9/hook',
        events: ['task.failed', 'alert.*'],
        failures: 0,
        disabledAt: null,
      });
      const listed = await baton.listWebhooks();
      expect(listed).toEqual([added.webhook]);
      expect(JSON.stringify(listed)).not.toContain(added.secret);
      expect(await baton.webhookDeliveries({ hookId: added.webhook.id })).toEqual([]);
      expect(await baton.alerts()).toEqual([]);

      expect((await refusal(baton.addWebhook({ url: 'file:///etc/passwd', events: ['*'] }))).code).toBe('invalid_argument');
      expect((await refusal(baton.addWebhook({ url: 'http://x.test/', events: ['Task Failed'] }))).code).toBe('invalid_argument');
      expect((await refusal(baton.addWebhook({ url: 'http://x.test/', events: ['*'], secret: 'short' }))).code).toBe(
        'invalid_argument',
      );
      expect(await baton.listWebhooks()).toEqual([added.webhook]);

      expect(await baton.removeWebhook(added.webhook.id)).toEqual(added.webhook);
      expect((await refusal(baton.removeWebhook(added.webhook.id))).code).toBe('webhook_not_found');
      expect((await refusal(baton.webhookDeliveries({ hookId: added.webhook.id }))).code).toBe('webhook_not_found');
      expect(await baton.listWebhooks()).toEqual([]);
    });
  });
}
