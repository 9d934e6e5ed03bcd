import type { Store } from '../store/store.js';
import { checkAlerts } from './alert-service.js';
import type { AppContext } from './context.js';
import { WebhookSender } from './webhook-sender.js';
import type { NotifyTick } from './webhook-types.js';

/** A server's webhooks and alerts: per store, one sender and the time alerts were last looked at. */
interface NotifyState {
  sender: WebhookSender;
  alertsAt: number;
}

const states = new WeakMap<Store, NotifyState>();

function stateOf(ctx: AppContext): NotifyState {
  let state = states.get(ctx.store);
  if (!state) {
    state = { sender: new WebhookSender(ctx), alertsAt: Number.NEGATIVE_INFINITY };
    states.set(ctx.store, state);
  }
  return state;
}

/** One turn: alerts when their period came (so their events go out on this turn), then the outboxes. */
export async function notify(ctx: AppContext): Promise<NotifyTick> {
  const state = stateOf(ctx);
  const now = ctx.clock.now();
  let alerts: NotifyTick['alerts'] = [];
  if (now - state.alertsAt >= ctx.maintenance.alerts.everyMs) {
    state.alertsAt = now;
    alerts = await checkAlerts(ctx);
  }
  return { alerts, queued: await state.sender.tick() };
}

export async function stopNotify(ctx: AppContext): Promise<void> {
  await states.get(ctx.store)?.sender.stop();
}
