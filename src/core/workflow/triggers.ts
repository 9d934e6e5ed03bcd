import { nextFireAfter } from '../recurrence.js';
import type { WorkflowDefinition } from './schema.js';

/**
 * The state of a workflow's triggers: for a `cron` trigger, when it fires next; for an `event`
 * trigger, the last event it has looked at. Each registration of a new version starts its
 * triggers afresh: a cron from the next fire time after now, an event trigger from the newest
 * event, so nothing that happened before the registration starts a run.
 *
 * Missed fire times (the server was down) are not made up one by one: a cron trigger whose time
 * passed fires once, then moves to its next fire time after now — one catch-up run, never a storm.
 */
export interface TriggerState {
  workflow: string;
  /** The trigger's position in the definition's `triggers`. */
  index: number;
  /** The definition version the trigger belongs to (the latest when it was registered). */
  version: number;
  kind: 'cron' | 'event';
  /** A cron trigger: the next fire time (ISO-8601), null when the expression never fires again. */
  nextAt: string | null;
  /** An event trigger: the id of the last event it has looked at. */
  cursor: number | null;
  lastFiredAt: string | null;
  lastRunId: number | null;
}

/** What firing (or looking) changes: compared and set, so one replica alone writes each change. */
export type TriggerChange = Pick<TriggerState, 'nextAt' | 'cursor' | 'lastFiredAt' | 'lastRunId'>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function initialTriggers(
  definition: WorkflowDefinition,
  version: number,
  now: number,
  lastEventId: number,
): TriggerState[] {
  return (definition.triggers ?? []).map((t, index) => ({
    workflow: definition.name,
    index,
    version,
    kind: t.cron !== undefined ? 'cron' : 'event',
    nextAt: t.cron !== undefined ? iso(nextFireAfter(t.cron, t.timezone ?? null, now)) : null,
    cursor: t.cron !== undefined ? null : lastEventId,
    lastFiredAt: null,
    lastRunId: null,
  }));
}

/** A cron trigger due at `now`: its change once fired (the next time after now, not after the missed one). */
export function cronFired(
  state: TriggerState,
  trigger: { cron?: string | undefined; timezone?: string | undefined },
  now: number,
  runId: number | null,
): TriggerChange {
  return {
    nextAt: iso(nextFireAfter(trigger.cron as string, trigger.timezone ?? null, now)),
    cursor: null,
    lastFiredAt: iso(now),
    lastRunId: runId ?? state.lastRunId,
  };
}

export const isDue = (state: TriggerState, now: number): boolean =>
  state.kind === 'cron' && state.nextAt !== null && Date.parse(state.nextAt) <= now;

/** A trigger row as either store returns it (times in ms since the epoch). */
export function triggerOf(r: Record<string, unknown>): TriggerState {
  const time = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    workflow: String(r.workflow),
    index: Number(r.idx),
    version: Number(r.version),
    kind: r.kind === 'cron' ? 'cron' : 'event',
    nextAt: time(r.next_at),
    cursor: num(r.cursor),
    lastFiredAt: time(r.last_fired_at),
    lastRunId: num(r.last_run_id),
  };
}
