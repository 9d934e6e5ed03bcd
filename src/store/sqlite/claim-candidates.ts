import type Database from 'better-sqlite3';
import type { ClaimRequest } from '../store.js';
import type { Row } from './rows.js';
import { CLAIM_BY_ID, CLAIM_ONE, SQL } from './sql.js';

/**
 * The best candidates of both kinds (reserved for this worker, and open to all). A single claim
 * uses `LIMIT 1` statements read with `get()`, which SQLite answers from the first index entry.
 */
export function claimCandidates(
  stmt: (sql: string) => Database.Statement,
  request: ClaimRequest,
  now: number,
  excluded: readonly string[],
): Row[] {
  const caps = JSON.stringify(request.capabilities);
  const cmd = request.withCommand ? 1 : 0;
  const queues = { excluded: JSON.stringify(excluded), only: request.queues ? JSON.stringify(request.queues) : null };
  if (request.taskId !== undefined) {
    const row = stmt(CLAIM_BY_ID).get({ id: request.taskId, worker: request.workerId, now, caps, cmd, ...queues }) as
      | Row
      | undefined;
    return row ? [row] : [];
  }
  if (request.limit === 1) {
    const assigned = stmt(CLAIM_ONE.assigned).get({ worker: request.workerId, now, caps, cmd, ...queues }) as Row | undefined;
    const queued = stmt(CLAIM_ONE.queued).get({ worker: request.workerId, now, caps, cmd, ...queues }) as Row | undefined;
    return [assigned, queued].filter((r): r is Row => r !== undefined);
  }
  return [
    ...(stmt(SQL.claimAssigned).all({ worker: request.workerId, now, caps, cmd, limit: request.limit, ...queues }) as Row[]),
    ...(stmt(SQL.claimQueued).all({ worker: request.workerId, now, caps, cmd, limit: request.limit, ...queues }) as Row[]),
  ];
}
