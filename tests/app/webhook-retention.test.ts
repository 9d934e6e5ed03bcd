import { afterEach, describe, expect, it } from 'vitest';
import { openBaton } from '../../src/app/open.js';
import { ManualClock } from '../../src/core/clock.js';
import { postgresBackend, type StoreBackend, sqliteBackend } from '../helpers/stores.js';

/** The webhook delivery log goes with the events under retention; what is still to be sent stays. */

const DAY = 86_400_000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function deliveryRetention(backend: StoreBackend): void {
  it(`${backend.name}: removes delivered and given-up deliveries past retention.events, keeps pending ones`, async () => {
    const store = await backend.fresh();
    cleanup.push(() => store.remove());
    store.configure({ retention: { events: '90d', every: '1h' } });
    const clock = new ManualClock(Date.now());
    const baton = await openBaton({ db: store.db, cwd: store.cwd, actor: 'tester', clock });
    cleanup.push(() => baton.close());
    const { webhook } = await baton.addWebhook({ url: 'http://127.0.0.1:9/hook', events: ['*'] });
    const old = clock.now() - 100 * DAY;
    await baton.store.transaction(async (tx) => {
      const row = (eventId: number) => ({ hookId: webhook.id, eventId, event: 'task.created', body: '{}', createdAt: old });
      await tx.insertDeliveries([row(1), row(2), row(3)]);
    });
    const [third, second, first] = await baton.webhookDeliveries();
    const done = { nextAt: null, lastStatus: 204, lastError: null, deliveredAt: old };
    await baton.store.transaction(async (tx) => {
      await tx.updateDelivery(first?.id as number, { ...done, status: 'delivered' });
      await tx.updateDelivery(second?.id as number, { ...done, status: 'failed' });
    });
    await baton.gc();
    expect((await baton.webhookDeliveries()).map((d) => d.id)).toEqual([third?.id]);
  });
}

describe('webhook delivery log under retention', () => {
  deliveryRetention(sqliteBackend);
  deliveryRetention(postgresBackend);
});
