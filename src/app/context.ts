import type { PatternRegistry } from '../core/breakdown/registry.js';
import type { Clock } from '../core/clock.js';
import { taskNotFound } from '../core/errors.js';
import type { RuleTime } from '../core/lifecycle.js';
import type { Policy } from '../core/policy.js';
import type { Task } from '../core/types.js';
import type { Store, StoreTx } from '../store/store.js';
import type { PlanningContext } from './breakdown.js';
import type { CriticalPush } from './hybrid-push.js';
import type { KeyRing } from './keys.js';
import type { LeaseSweeper } from './lease-sweeper.js';
import type { MaintenanceSettings } from './maintenance-types.js';
import type { PlannerBreakers } from './planner-breakers.js';
import { advanceNoted } from './run-advance.js';
import { type Change, TaskWriter, type WriteEffects } from './task-writer.js';
import type { WorkerPresence } from './worker-presence.js';

/**
 * What every use case of a LocalBaton works over. One context per opened store; `actingAs` copies
 * it with another actor, sharing the caches below (they are per store, not per caller).
 */
export interface AppContext {
  readonly store: Store;
  readonly policy: Policy;
  readonly clock: Clock;
  /** Who makes the changes (a person, a script, an API key); recorded in history. */
  readonly actor: string | null;
  /** Source of randomness for retry jitter (tests pass a fixed one). */
  readonly random: () => number;
  readonly patterns: PatternRegistry;
  readonly patternsFile: string | null;
  readonly presence: WorkerPresence;
  readonly keys: KeyRing;
  readonly sweeper: LeaseSweeper;
  readonly push: CriticalPush;
  /** Where attempt logs are kept (`.baton/logs` beside the store), or null when this Baton keeps none. */
  readonly logDir?: string | null;
  /** Backups and retention: the config's `backup:` and `retention:` sections. */
  readonly maintenance: Readonly<MaintenanceSettings>;
  /** The circuit breakers of the outside planners (`command`, `http`) in this process. */
  readonly plannerBreakers: PlannerBreakers;
}

export function planningContext(ctx: AppContext): PlanningContext {
  return {
    policy: ctx.policy.breakdown,
    registry: ctx.patterns,
    patternsFile: ctx.patternsFile,
    breakers: { states: ctx.plannerBreakers, now: () => ctx.clock.now() },
  };
}

/** A task writer for one use-case call; `effects` collects what must follow its commit. */
export function writerFor(ctx: AppContext, effects: WriteEffects): TaskWriter {
  return new TaskWriter(ctx.policy, ctx.actor, effects);
}

export function ruleTime(ctx: AppContext, tx: StoreTx): RuleTime {
  return { now: tx.now, policy: ctx.policy };
}

export function newEffects(): WriteEffects {
  return { criticalReady: false, runs: new Set() };
}

/**
 * One transaction: read the task, let `decide` apply a core rule, write the change and its event;
 * then, after the commit, push a critical task that became ready (hybrid assignment).
 */
export async function changeTask(
  ctx: AppContext,
  id: number,
  decide: (task: Task, tx: StoreTx, time: RuleTime) => Promise<Change>,
): Promise<Task> {
  const effects = newEffects();
  const task = await ctx.store.transaction(async (tx) => {
    effects.criticalReady = false;
    effects.runs?.clear();
    const writer = writerFor(ctx, effects);
    const task = await tx.getTask(id);
    if (!task) throw taskNotFound(id);
    return writer.apply(tx, task, await decide(task, tx, ruleTime(ctx, tx)));
  });
  const pushed = await ctx.push.after(task, effects);
  await advanceNoted(ctx, effects);
  return pushed;
}

/** Runs `fn` in one transaction with a writer, then the pushes its writes call for. */
export async function writeTasks<T>(ctx: AppContext, fn: (tx: StoreTx, writer: TaskWriter) => Promise<T>): Promise<T> {
  const effects = newEffects();
  const result = await ctx.store.transaction((tx) => {
    // A transaction may run again (a retried batch): only its last run's effects count.
    effects.criticalReady = false;
    effects.runs?.clear();
    return fn(tx, writerFor(ctx, effects));
  });
  const pushed = await ctx.push.after(result, effects);
  await advanceNoted(ctx, effects);
  return pushed;
}
