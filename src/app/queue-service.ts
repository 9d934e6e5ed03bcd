import { BatonError } from '../core/errors.js';
import {
  type ClaimCaps,
  claimCaps,
  DEFAULT_QUEUE,
  isPaused,
  type PauseInput,
  pauseSchema,
  pauseView,
  type QueueInfo,
  SYSTEM_QUEUE,
} from '../core/queues.js';
import { parseWith } from '../core/schemas.js';
import type { StoreTx } from '../store/store.js';
import type { AppContext } from './context.js';
import type { QueuesReport } from './queue-types.js';
import { breachCutoffs } from './status-stats.js';

/** System pauses, queue caps and the queues report (`core/queues.ts`). */

/** Pauses claims (of one queue, or of all) in one transaction with its `claims_paused` event. */
export async function pauseClaims(ctx: AppContext, raw: PauseInput = {}): Promise<QueuesReport> {
  return setPause(ctx, raw, true);
}

export async function resumeClaims(ctx: AppContext, raw: PauseInput = {}): Promise<QueuesReport> {
  return setPause(ctx, raw, false);
}

async function setPause(ctx: AppContext, raw: PauseInput, pause: boolean): Promise<QueuesReport> {
  const queue = parseWith(pauseSchema, raw).queue ?? SYSTEM_QUEUE;
  await ctx.store.transaction(async (tx) => {
    const changed = await tx.setPause(queue, pause ? { atMs: tx.now, by: ctx.actor } : null);
    if (!changed) return;
    await tx.appendEvent({
      taskId: null,
      workerId: null,
      actor: ctx.actor,
      type: pause ? 'claims_paused' : 'claims_resumed',
      at: new Date(tx.now).toISOString(),
      changes: {},
      data: { queue: queue === SYSTEM_QUEUE ? null : queue },
    });
  });
  return queues(ctx);
}

export async function queues(ctx: AppContext): Promise<QueuesReport> {
  const { store, policy } = ctx;
  const now = await store.now();
  const [pauses, counts] = await Promise.all([store.listPauses(), store.queueCounts(now, breachCutoffs(policy, now))]);
  const byName = new Map(counts.map((c) => [c.queue, c]));
  const names = [...new Set([DEFAULT_QUEUE, ...byName.keys(), ...Object.keys(policy.queues)])].sort();
  const list: QueueInfo[] = names.map((name) => {
    const c = byName.get(name);
    const oldest = c?.oldestReadyMs ?? null;
    return {
      name,
      depth: c?.depth ?? 0,
      executing: c?.executing ?? 0,
      waiting: c?.waiting ?? 0,
      oldestReadyAt: oldest === null ? null : new Date(oldest).toISOString(),
      oldestWaitSeconds: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
      slaBreaches: c?.breaches ?? 0,
      paused: isPaused(pauses, name),
      settings: policy.queues[name] ?? null,
    };
  });
  return {
    paused: pauses.some((p) => p.queue === SYSTEM_QUEUE),
    pauses: pauses.map(pauseView),
    maxExecuting: policy.maxExecuting,
    executing: counts.reduce((n, c) => n + c.executing, 0),
    queues: list,
    at: new Date(now).toISOString(),
  };
}

/** The caps a claim must respect under this store's config (computed once per policy object). */
const capsByPolicy = new WeakMap<object, ClaimCaps>();
export function capsOf(ctx: AppContext): ClaimCaps {
  let caps = capsByPolicy.get(ctx.policy);
  if (!caps) {
    caps = claimCaps(ctx.policy.maxExecuting, ctx.policy.queues);
    capsByPolicy.set(ctx.policy, caps);
  }
  return caps;
}

/**
 * Whether claims are held back for everyone now (a system pause, or `limits.maxExecuting`
 * reached), read outside any transaction: a hint that lets an idle worker polling a paused or
 * capped store skip the claim's write lock. The claim itself checks again, atomically.
 */
export async function claimsHeld(ctx: AppContext): Promise<boolean> {
  const max = capsOf(ctx).maxExecuting;
  const [pauses, executing] = await Promise.all([
    ctx.store.listPauses(),
    max === null ? 0 : ctx.store.countTasks({ status: ['executing'], leased: true }),
  ]);
  return pauses.some((p) => p.queue === SYSTEM_QUEUE) || (max !== null && executing >= max);
}

/** Refuses a task to a queue at its `maxSize` (`queue_full`); read inside the transaction that adds it. */
export async function assertRoom(ctx: AppContext, tx: StoreTx, queue: string, adding = 1): Promise<void> {
  const maxSize = ctx.policy.queues[queue]?.maxSize ?? null;
  if (maxSize === null) return;
  const waiting = await tx.queueWaiting(queue);
  if (waiting + adding > maxSize) {
    throw new BatonError(
      'queue_full',
      `queue ${queue} is full: ${waiting} tasks wait in it (queues.${queue}.maxSize is ${maxSize})`,
      {
        queue,
        waiting,
        maxSize,
      },
    );
  }
}

/** Why a claim of one task of `queue` took nothing although the task was claimable: a pause, or a cap. */
export async function claimBlock(ctx: AppContext, queue: string): Promise<BatonError | null> {
  const report = await queues(ctx);
  if (report.paused || report.queues.some((q) => q.name === queue && q.paused)) {
    const what = report.paused ? 'claims are paused (baton system resume)' : `claims of queue ${queue} are paused`;
    return new BatonError('queue_paused', `cannot claim a task now: ${what}`, { queue });
  }
  const caps = capsOf(ctx);
  const executingHere = report.queues.find((q) => q.name === queue)?.executing ?? 0;
  const cap = caps.queues[queue];
  if (cap !== undefined && executingHere >= cap) {
    return new BatonError(
      'executing_limit',
      `queue ${queue} already executes ${executingHere} tasks (its maxExecuting is ${cap})`,
      {
        queue,
        limit: cap,
      },
    );
  }
  if (caps.maxExecuting !== null && report.executing >= caps.maxExecuting) {
    return new BatonError(
      'executing_limit',
      `${report.executing} tasks are executing (limits.maxExecuting is ${caps.maxExecuting})`,
      {
        limit: caps.maxExecuting,
      },
    );
  }
  return null;
}
