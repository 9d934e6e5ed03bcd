import { PRIORITIES } from '../core/types.js';
import { type Alert, type AlertKind, failedForGood } from '../core/webhooks.js';
import type { NewAlert } from '../store/hooks.js';
import type { AppContext } from './context.js';
import { breachCutoffs } from './status-stats.js';

/**
 * Alerts: conditions worth a person's attention, raised once per occurrence. Two sorts:
 * - of one event (a task failed for good, a failed backup), keyed by the event: raised once, ever;
 * - of a condition (SLA breaches of a priority, a worker gone offline holding work, too many ready
 *   tasks, a worker's breaker open, a fleet pool degraded), keyed by what holds: raised when it begins, resolved when it ends, raised again if it
 *   begins anew.
 * Each raise appends an `alert_raised` event in the same transaction, which hooks receive as
 * `alert.<kind>`. Servers sharing a store may all look: the store raises a key once.
 */

/** The duty record holding the last event looked at. */
export const ALERTS_DUTY = 'alerts';
const EVENT_PAGE = 1000;

type Found = Omit<NewAlert, 'raisedAt'>;

export async function checkAlerts(ctx: AppContext): Promise<Alert[]> {
  const raised: Alert[] = [];
  for (const a of await eventAlerts(ctx)) raised.push(...(await raise(ctx, a, false)));
  const holding = await conditionAlerts(ctx);
  for (const a of holding) raised.push(...(await raise(ctx, a, true)));
  const keys = new Set(holding.map((a) => a.key));
  const open = await ctx.store.alerts({ open: true, limit: 1000 });
  const now = ctx.clock.now();
  for (const a of open) if (!keys.has(a.key)) await ctx.store.transaction((tx) => tx.resolveAlert(a.key, now));
  return raised;
}

async function raise(ctx: AppContext, found: Found, reopen: boolean): Promise<Alert[]> {
  return ctx.store.transaction(async (tx) => {
    const alert = await tx.raiseAlert({ ...found, raisedAt: tx.now }, { reopen });
    if (!alert) return [];
    await tx.appendEvent({
      taskId: null,
      workerId: null,
      actor: ctx.actor,
      type: 'alert_raised',
      at: alert.raisedAt,
      changes: {},
      data: { kind: alert.kind, key: alert.key, message: alert.message, alertId: alert.id, ...alert.data },
    });
    return [alert];
  });
}

/** Failed-for-good tasks and failed backups among the events since the last look (from now, the first time). */
async function eventAlerts(ctx: AppContext): Promise<Found[]> {
  const duty = (await ctx.store.duties()).find((d) => d.duty === ALERTS_DUTY);
  const last = await ctx.store.lastEventId();
  // From now on the first time; from the log's end when a restore replaced it with a shorter one.
  const cursor = Math.min(Number(duty?.outcome?.cursor ?? last), last);
  const events = await ctx.store.events({ afterId: cursor, limit: EVENT_PAGE });
  if (events.length === 0) {
    if (!duty) await ctx.store.recordDuty(ALERTS_DUTY, { cursor });
    return [];
  }
  const found: Found[] = [];
  for (const e of events) {
    if (failedForGood(e)) {
      const error = e.data?.error ?? null;
      found.push(alert('task_failed', `task_failed:${e.id}`, `task ${e.taskId} failed for good`, { taskId: e.taskId, error }));
    } else if (e.type === 'backup_failed') {
      const error = e.data?.error ?? null;
      found.push(alert('backup_failed', `backup_failed:${e.id}`, 'a scheduled or requested backup failed', { error }));
    }
  }
  await ctx.store.recordDuty(ALERTS_DUTY, { cursor: events.at(-1)?.id ?? cursor });
  return found;
}

/** What holds now: SLA breaches per priority, offline workers holding work, open breakers, degraded pools, too many ready tasks. */
async function conditionAlerts(ctx: AppContext): Promise<Found[]> {
  const now = ctx.clock.now();
  const ready = await ctx.store.readyCounts(now, breachCutoffs(ctx.policy, now));
  const found: Found[] = [];
  for (const p of PRIORITIES) {
    const n = ready.breaches[p];
    const target = ctx.policy.slaSeconds[p];
    if (n > 0)
      found.push(
        alert('sla_breached', `sla_breached:${p}`, `${tasks(n)} of priority ${p} waited past the SLA target (${target} s)`, {
          priority: p,
          breaches: n,
          targetSeconds: target,
        }),
      );
  }
  for (const w of await ctx.presence.list()) {
    if (!w.online && w.currentTasks.length > 0) {
      const message = `worker ${w.id} went offline holding tasks ${w.currentTasks.join(', ')}`;
      found.push(alert('worker_offline', `worker_offline:${w.id}`, message, { workerId: w.id, tasks: w.currentTasks }));
    }
    // Half-open counts as open: the worker is still held to a probe until a success closes it.
    if (w.breaker && w.breaker.mode !== 'closed') {
      const { reason, reopensAt, trips } = w.breaker;
      const message = `worker ${w.id}: its circuit breaker is ${w.breaker.mode === 'open' ? 'open' : 'half-open'}${reason ? ` (${reason})` : ''}`;
      found.push(alert('breaker_open', `breaker_open:${w.id}`, message, { workerId: w.id, reason, reopensAt, trips }));
    }
  }
  for (const p of await ctx.store.listPools()) {
    const state = p.state as { degraded?: boolean; degradedReason?: string | null };
    if (!state.degraded) continue;
    const reason = state.degradedReason ?? null;
    const message = `fleet pool ${p.name} is degraded: ${reason ?? 'its members keep crashing'}`;
    found.push(alert('pool_degraded', `pool_degraded:${p.name}`, message, { pool: p.name, supervisor: p.supervisor, reason }));
  }
  found.push(...(await queueAlerts(ctx, now)));
  const over = ctx.maintenance.alerts.readyOver;
  const depth = Object.values(ready.byPriority).reduce((a, b) => a + b, 0);
  if (over !== null && depth > over) {
    found.push(
      alert('ready_over', 'ready_over', `${tasks(depth)} ready, more than alerts.readyOver (${over})`, {
        ready: depth,
        threshold: over,
      }),
    );
  }
  return found;
}

/** Queues whose depth is past the `alertOver` of their settings. */
async function queueAlerts(ctx: AppContext, now: number): Promise<Found[]> {
  const watched = Object.entries(ctx.policy.queues).filter(([, q]) => q.alertOver !== null);
  if (watched.length === 0) return [];
  const counts = new Map((await ctx.store.queueCounts(now, breachCutoffs(ctx.policy, now))).map((c) => [c.queue, c]));
  const found: Found[] = [];
  for (const [queue, settings] of watched) {
    const depth = counts.get(queue)?.depth ?? 0;
    const threshold = settings.alertOver as number;
    if (depth > threshold) {
      const message = `queue ${queue} holds ${tasks(depth)}, more than its alertOver (${threshold})`;
      found.push(alert('queue_over', `queue_over:${queue}`, message, { queue, depth, threshold }));
    }
  }
  return found;
}

const tasks = (n: number) => (n === 1 ? '1 task' : `${n} tasks`);
const alert = (kind: AlertKind, key: string, message: string, data: Record<string, unknown>): Found => ({
  kind,
  key,
  message,
  data,
});
