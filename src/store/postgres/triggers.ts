import type { TriggerChange, TriggerState } from '../../core/workflow/triggers.js';
import { ident } from './sql.js';

/** The statements of the `workflow_triggers` table of the PostgreSQL store (migration 10). */
export function triggerStatements(schema: string) {
  const t = `${ident(schema)}.workflow_triggers`;
  const cols = 'workflow, idx, version, kind, next_at, cursor, last_fired_at, last_run_id';
  return {
    list: `SELECT ${cols} FROM ${t} ORDER BY workflow, idx`,
    clear: `DELETE FROM ${t} WHERE workflow = $1`,
    insert: `INSERT INTO ${t} (${cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    /** Compare and set: a replica that read the row before another fired it changes nothing. */
    update: `UPDATE ${t} SET next_at = $1, cursor = $2, last_fired_at = $3, last_run_id = $4
      WHERE workflow = $5 AND idx = $6 AND version = $7 AND next_at IS NOT DISTINCT FROM $8::bigint
      AND cursor IS NOT DISTINCT FROM $9::bigint RETURNING idx`,
    lastEventId: `SELECT coalesce(max(id), 0) AS id FROM ${ident(schema)}.events`,
  };
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export const triggerRow = (s: TriggerState): unknown[] => [
  s.workflow,
  s.index,
  s.version,
  s.kind,
  ms(s.nextAt),
  s.cursor,
  ms(s.lastFiredAt),
  s.lastRunId,
];

export const updateParams = (prev: TriggerState, next: TriggerChange): unknown[] => [
  ms(next.nextAt),
  next.cursor,
  ms(next.lastFiredAt),
  next.lastRunId,
  prev.workflow,
  prev.index,
  prev.version,
  ms(prev.nextAt),
  prev.cursor,
];
