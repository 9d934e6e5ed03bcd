import { BatonError, taskNotFound } from '../core/errors.js';
import { fullResources, type Resource } from '../core/resources.js';
import { claimTaskSchema, parseWith } from '../core/schemas.js';
import type { Task } from '../core/types.js';
import { claimRefusal } from '../core/waiting.js';
import type { ClaimTaskInput } from './baton.js';
import { assertBreakerClosed } from './breaker-service.js';
import type { AppContext } from './context.js';
import { sweep } from './lease-service.js';
import { capsOf, claimBlock } from './queue-service.js';
import { teamworkRefusal } from './teamwork.js';

/** Tries of a claim whose task looked claimable yet was not taken (another claim held its row). */
const ATTEMPTS = 5;

/**
 * Claims one task by id for a worker (a person or an agent choosing), by the rules of `claim`:
 * the same lease, fencing token and `claimed` event, written by the store's conditional claim of
 * that one task, so that of concurrent claims at most one wins. A task this worker may not claim
 * now is refused with the coded reason, and nothing is written.
 */
export async function claimTask(ctx: AppContext, id: number, raw: ClaimTaskInput): Promise<Task> {
  const request = parseWith(claimTaskSchema, raw);
  const { workerId } = request;
  const { maxLeaseSeconds } = ctx.policy.claims;
  const leaseSeconds = request.leaseSeconds ?? ctx.policy.leaseSeconds;
  if (leaseSeconds > maxLeaseSeconds) {
    throw new BatonError(
      'invalid_argument',
      `leaseSeconds: must be at most ${maxLeaseSeconds} seconds (claims.maxLease of this store's config)`,
      { field: 'leaseSeconds' },
    );
  }
  if (!(await ctx.store.getTask(id))) throw taskNotFound(id);
  const capabilities = await ctx.presence.capabilitiesFor(workerId, request.capabilities);
  await assertBreakerClosed(ctx, workerId);
  await ctx.sweeper.sometimes(() => sweep(ctx));
  for (let attempt = 1; ; attempt++) {
    const [claimed] = await ctx.store.claim({
      workerId,
      capabilities,
      leaseMs: leaseSeconds * 1000,
      limit: 1,
      taskId: id,
      caps: capsOf(ctx),
    });
    if (claimed) return claimed;
    const task = await ctx.store.getTask(id);
    if (!task) throw taskNotFound(id);
    const deps = await ctx.store.getTasks(task.dependsOn);
    const blockedBy = deps.filter((d) => d.status !== 'completed').map((d) => d.id);
    const refusal = claimRefusal(task, { id: workerId, capabilities }, await ctx.store.now(), blockedBy);
    if (refusal) throw refusal;
    const teamwork = await teamworkRefusal(ctx, task, workerId);
    if (teamwork) throw teamwork;
    const blocked = await claimBlock(ctx, task.queue);
    if (blocked) throw blocked;
    const full = task.resources.length > 0 ? fullResources(task.resources, await resourcesByName(ctx)) : [];
    if (full.length > 0) {
      throw new BatonError('resource_full', `cannot claim task ${id}: no free slot of ${full.join(', ')}`, {
        id,
        resources: full,
      });
    }
    if (attempt >= ATTEMPTS) {
      throw new BatonError('store_busy', `task ${id} is being changed by another caller; try again`, { id });
    }
    await ctx.clock.sleep(5 * attempt);
  }
}

async function resourcesByName(ctx: AppContext): Promise<Map<string, Resource>> {
  return new Map((await ctx.store.listResources()).map((r) => [r.name, r]));
}
