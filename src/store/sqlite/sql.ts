import type { TaskSort } from '../../core/search.js';
import { TASK_STATUSES, type TaskStatus } from '../../core/types.js';
import { type TaskQuery, taskOrder } from '../store.js';

/** Every statement of the SQLite store, in one place: the fixed ones, and the filters of task lists. */

const DEPENDS_ON = `(SELECT json_group_array(depends_on) FROM task_dependencies d WHERE d.task_id = t.id) AS depends_on,
  (SELECT json_group_array(json_object('on', d.depends_on, 'if', d.condition)) FROM task_dependencies d
    WHERE d.task_id = t.id AND d.condition IS NOT NULL) AS conditions`;

/** A task worker may claim only if it holds every capability the task requires. */
const CAPABLE = `(t.cap_count = 0 OR NOT EXISTS (
    SELECT 1 FROM json_each(t.capabilities) c WHERE c.value NOT IN (SELECT value FROM json_each(@caps))))`;

/** With `@cmd` = 1, only a task that has a shell command (a worker that runs each task's own). */
const RUNNABLE = "(@cmd = 0 OR (t.command IS NOT NULL AND t.command <> ''))";

/**
 * Every resource of the task has a free slot: fewer executing tasks name it than its capacity (1
 * when none was given). Read inside the claim's write transaction, so it counts every lease.
 */
const FREE = `(t.resources = '[]' OR NOT EXISTS (
    SELECT 1 FROM json_each(t.resources) rn
    WHERE coalesce((SELECT r.capacity FROM resources r WHERE r.name = rn.value), 1) <= (
      SELECT count(*) FROM tasks h, json_each(h.resources) hj WHERE h.status = 'executing' AND hj.value = rn.value)))`;

/**
 * Of a queue the claim may take from: not paused nor at its cap (`@excluded`, JSON array), and
 * among those the worker serves (`@only`, JSON array; null: every queue).
 */
const IN_QUEUES = `t.queue NOT IN (SELECT value FROM json_each(@excluded))
    AND (@only IS NULL OR t.queue IN (SELECT value FROM json_each(@only)))`;

/**
 * Teamwork (migration 19): a team's task only for its members, and never a second attempt of one
 * swarm for a worker that took another (held, done or reserved). Param: @worker.
 */
const TEAMWORK = `(t.team IS NULL OR EXISTS (SELECT 1 FROM team_members m WHERE m.team = t.team AND m.worker_id = @worker))
    AND (t.swarm_of IS NULL OR NOT EXISTS (SELECT 1 FROM tasks s INDEXED BY tasks_swarm_of
      WHERE s.swarm_of = t.swarm_of AND s.id <> t.id AND (s.assignee = @worker OR s.reserved_for = @worker)))`;

export const SQL = {
  selectTask: `SELECT t.*, ${DEPENDS_ON} FROM tasks t`,
  taskById: `SELECT t.*, ${DEPENDS_ON} FROM tasks t WHERE t.id = ?`,
  tasksByIds: `SELECT t.*, ${DEPENDS_ON} FROM tasks t WHERE t.id IN (SELECT value FROM json_each(?)) ORDER BY t.id`,

  // Params: @worker, @now (ms), @caps (JSON array of the worker's capabilities), @cmd, @limit.
  claimQueued: `SELECT t.*, ${DEPENDS_ON} FROM tasks t INDEXED BY tasks_claim_queued
    WHERE t.status = 'queued' AND t.run_after <= @now AND ${CAPABLE} AND ${RUNNABLE} AND ${FREE} AND ${IN_QUEUES} AND ${TEAMWORK}
    ORDER BY t.claim_order, t.cap_count DESC, t.id LIMIT @limit`,
  // Params: @worker, @now, @caps, @cmd, @limit.
  claimAssigned: `SELECT t.*, ${DEPENDS_ON} FROM tasks t INDEXED BY tasks_claim_assigned
    WHERE t.status = 'assigned' AND t.reserved_for = @worker AND t.run_after <= @now AND ${CAPABLE} AND ${RUNNABLE} AND ${FREE} AND ${IN_QUEUES} AND ${TEAMWORK}
    ORDER BY t.claim_order, t.cap_count DESC, t.id LIMIT @limit`,

  expiredLeases: `SELECT id FROM tasks INDEXED BY tasks_lease_expiry WHERE status = 'executing' AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT ?`,
  // Templates of recurring tasks whose newest occurrence's fire time (ISO text, ?) has passed.
  // One look for the sweep: whether each of its reads could find anything (now in ms, as ISO, in ms).
  sweepDue: `SELECT
    EXISTS (SELECT 1 FROM tasks INDEXED BY tasks_lease_expiry WHERE status = 'executing' AND lease_expires_at <= ?) AS leases,
    EXISTS (SELECT 1 FROM tasks WHERE status = 'assigned' AND reserved_for IS NOT NULL) AS reserved,
    EXISTS (SELECT 1 FROM offers WHERE closed_at IS NULL) AS offers,
    EXISTS (SELECT 1 FROM tasks INDEXED BY tasks_recurring WHERE recurrence IS NOT NULL AND status = 'blocked'
      AND json_extract(recurrence, '$.templateId') IS NULL AND json_extract(recurrence, '$.fireAt') <= ?) AS recurrences,
    EXISTS (SELECT 1 FROM workflow_triggers) AS triggers,
    EXISTS (SELECT 1 FROM workflow_runs WHERE status = 'running' AND wake_at <= ?) AS runs`,
  dueRecurrences: `SELECT id FROM tasks INDEXED BY tasks_recurring WHERE recurrence IS NOT NULL AND status = 'blocked'
    AND json_extract(recurrence, '$.templateId') IS NULL AND json_extract(recurrence, '$.fireAt') <= ? ORDER BY id LIMIT ?`,
  countByStatus: 'SELECT status, count(*) AS n FROM tasks GROUP BY status',
  countCompletedSince: 'SELECT count(*) FROM tasks WHERE completed_at >= ?',
  // Params: @now and one breach cut-off per priority (ms; -1 when the priority has no target).
  // Tasks per status but completed, each a range of tasks_status.
  countOpenByStatus: `SELECT status, count(*) AS n FROM tasks
    WHERE status IN (${TASK_STATUSES.filter((s) => s !== 'completed')
      .map((s) => `'${s}'`)
      .join(', ')}) GROUP BY status`,
  parentsByStatus: `SELECT status, count(*) AS n FROM tasks
    WHERE id IN (SELECT parent_id FROM tasks WHERE parent_id IS NOT NULL) GROUP BY status`,
  readyCounts: `SELECT priority, count(*) AS n,
      sum(coalesce(ready_at, created_at) < CASE priority WHEN 'critical' THEN @critical WHEN 'high' THEN @high
        WHEN 'normal' THEN @normal WHEN 'low' THEN @low ELSE @maintenance END) AS breaches
    FROM tasks WHERE status IN ('queued', 'assigned') AND run_after <= @now GROUP BY priority`,
  // Leases and reservations waiting to be claimed, per worker (hybrid assignment's load).
  heldByWorker: `SELECT coalesce(lease_owner, reserved_for) AS owner, count(*) AS n FROM tasks
    WHERE (status = 'executing' AND lease_owner IS NOT NULL) OR status = 'assigned' GROUP BY 1`,
  // Param: how many. The newest finished tasks (hybrid assignment's success and speed).
  recentFinished: `SELECT t.*, ${DEPENDS_ON} FROM tasks t WHERE t.status IN ('completed', 'failed') ORDER BY t.id DESC LIMIT ?`,
  allWorkers: 'SELECT * FROM workers ORDER BY id',
  leasesByWorker: "SELECT lease_owner AS owner, id FROM tasks WHERE status = 'executing' AND lease_owner IS NOT NULL ORDER BY id",

  dependents: `SELECT t.*, ${DEPENDS_ON} FROM task_dependencies x JOIN tasks t ON t.id = x.task_id WHERE x.depends_on = ? ORDER BY t.id`,
  // Param: JSON array of task ids. Every edge reachable from them along dependencies.
  dependencyClosure: `WITH RECURSIVE reach(id) AS (
      SELECT value FROM json_each(?)
      UNION SELECT d.depends_on FROM task_dependencies d JOIN reach r ON d.task_id = r.id)
    SELECT d.task_id, d.depends_on FROM task_dependencies d JOIN reach r ON d.task_id = r.id`,

  eventsOfTask: 'SELECT * FROM events WHERE task_id = ? AND id > ? ORDER BY id LIMIT ?',
  eventsAfter: 'SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?',
  eventsOfTasks: `SELECT * FROM (
      SELECT e.*, ROW_NUMBER() OVER (PARTITION BY task_id ORDER BY id DESC) AS newest
      FROM events e WHERE task_id IN (SELECT value FROM json_each(?)) AND id > ?
    ) WHERE newest <= ? ORDER BY id LIMIT ?`,

  upsertWorker: `INSERT INTO workers (id, name, capabilities, host, pid, concurrency, version, registered_at, last_seen_at, state, usage, breaker)
    VALUES (@id, @name, @capabilities, @host, @pid, @concurrency, @version, @registered_at, @last_seen_at, @state, @usage, @breaker)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities, host = excluded.host,
      pid = excluded.pid, concurrency = excluded.concurrency, version = excluded.version,
      last_seen_at = excluded.last_seen_at, state = excluded.state, usage = excluded.usage, breaker = excluded.breaker`,

  // Param: JSON array of resource names. Those with no free slot (see FREE).
  fullResources: `SELECT rn.value AS name FROM json_each(?) rn
    WHERE coalesce((SELECT r.capacity FROM resources r WHERE r.name = rn.value), 1) <= (
      SELECT count(*) FROM tasks h, json_each(h.resources) hj WHERE h.status = 'executing' AND hj.value = rn.value)`,
  // Param: JSON array of names.
  resourceCapacities: 'SELECT name, capacity FROM resources WHERE name IN (SELECT value FROM json_each(?))',
  ensureResource: 'INSERT INTO resources (name, capacity) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  setResource:
    'INSERT INTO resources (name, capacity) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET capacity = excluded.capacity',
  listResources: `WITH named AS (
      SELECT name FROM resources
      UNION SELECT j.value FROM tasks t, json_each(t.resources) j
        WHERE t.status IN ('queued', 'assigned', 'executing', 'blocked', 'paused') AND t.resources <> '[]')
    SELECT n.name, coalesce(r.capacity, 1) AS capacity,
      (SELECT json_group_array(h.id) FROM tasks h, json_each(h.resources) hj WHERE h.status = 'executing' AND hj.value = n.name) AS holders,
      (SELECT count(*) FROM tasks w, json_each(w.resources) wj WHERE w.status IN ('queued', 'assigned') AND wj.value = n.name) AS waiting
    FROM named n LEFT JOIN resources r ON r.name = n.name ORDER BY n.name`,

  anyRows: 'SELECT (SELECT 1 FROM tasks LIMIT 1) OR (SELECT 1 FROM events LIMIT 1) OR (SELECT 1 FROM workers LIMIT 1)',
} as const;

/** Params: @id, @worker, @now, @caps, @cmd, @excluded, @only. One task, if this worker may claim it now. */
export const CLAIM_BY_ID = `SELECT t.*, ${DEPENDS_ON} FROM tasks t
    WHERE t.id = @id AND (t.status = 'queued' OR (t.status = 'assigned' AND t.reserved_for = @worker))
      AND t.run_after <= @now AND ${CAPABLE} AND ${RUNNABLE} AND ${FREE} AND ${IN_QUEUES} AND ${TEAMWORK}`;

/** Single-claim forms: a literal `LIMIT 1` lets SQLite stop at the first matching index entry. */
export const CLAIM_ONE = {
  queued: SQL.claimQueued.replace('LIMIT @limit', 'LIMIT 1'),
  assigned: SQL.claimAssigned.replace('LIMIT @limit', 'LIMIT 1'),
} as const;

/** What an open listing shows: every status but completed, cancelled and skipped. */
export const OPEN_STATUSES: readonly TaskStatus[] = TASK_STATUSES.filter(
  (s) => !['completed', 'cancelled', 'skipped'].includes(s),
);

export function taskWhere(query: TaskQuery, now: number): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (query.status && query.status.length > 0) {
    clauses.push(`t.status IN (${query.status.map((_, i) => `@s${i}`).join(', ')})`);
    query.status.forEach((s, i) => {
      params[`s${i}`] = s;
    });
  }
  if (query.ready) {
    clauses.push("t.status IN ('queued', 'assigned') AND t.run_after <= @now");
    params.now = now;
  }
  if (query.assignee !== undefined) {
    clauses.push('t.assignee = @assignee');
    params.assignee = query.assignee;
  }
  if (query.parentId !== undefined) {
    clauses.push('t.parent_id = @parent');
    params.parent = query.parentId;
  }
  if (query.ids !== undefined) {
    clauses.push('t.id IN (SELECT value FROM json_each(@ids))');
    params.ids = JSON.stringify(query.ids);
  }
  if (query.parentIds !== undefined) {
    clauses.push('t.parent_id IN (SELECT value FROM json_each(@parentIds))');
    params.parentIds = JSON.stringify(query.parentIds);
  }
  if (query.leased !== undefined) clauses.push(query.leased ? 't.lease_owner IS NOT NULL' : 't.lease_owner IS NULL');
  if (query.tag !== undefined) {
    clauses.push('EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = @tag)');
    params.tag = query.tag;
  }
  if (query.withCommand) clauses.push("t.command IS NOT NULL AND t.command <> ''");
  if (query.priority && query.priority.length > 0) {
    clauses.push('t.priority IN (SELECT value FROM json_each(@priorities))');
    params.priorities = JSON.stringify(query.priority);
  }
  if (query.capability && query.capability.length > 0) {
    clauses.push('EXISTS (SELECT 1 FROM json_each(t.capabilities) c WHERE c.value IN (SELECT value FROM json_each(@wanted)))');
    params.wanted = JSON.stringify(query.capability);
  }
  if (query.words && query.words.length > 0) {
    // Each word a prefix; words are letters and digits only, so quoting them is enough.
    clauses.push('t.id IN (SELECT rowid FROM tasks_search WHERE tasks_search MATCH @match)');
    params.match = query.words.map((w) => `"${w}"*`).join(' ');
  }
  // Named, not `NOT IN` the closed ones: a range of the status indexes each, instead of every row.
  if (query.open) clauses.push(`t.status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`);
  // The parents are read once from the tasks_parent index (few rows), then each task is looked up among them.
  if (query.hasSubtasks !== undefined) {
    clauses.push(`t.id ${query.hasSubtasks ? '' : 'NOT '}IN (SELECT c.parent_id FROM tasks c WHERE c.parent_id IS NOT NULL)`);
  }
  if (query.afterId !== undefined) {
    clauses.push('t.id > @afterId');
    params.afterId = query.afterId;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The finished statuses, as the partial index `tasks_finished_updated` names them (migration 21). */
const FINISHED = ['completed', 'failed', 'skipped', 'cancelled'] as const;
const FINISHED_TERM = `t.status IN (${FINISHED.map((s) => `'${s}'`).join(', ')})`;

/** The orders an index keeps per status: claim order, id (created), newest first (updated). */
const INDEXED_ORDERS = new Set<TaskSort>(['claim', 'created', 'updated']);

/**
 * The index that reads the tasks of one status in a listing's order, with the terms that let
 * SQLite use it: a partial index is used only for a query whose WHERE states its own condition,
 * and a bound parameter states nothing, so the status is written into the statement.
 */
function statusRun(status: TaskStatus, sort: TaskSort): { index: string | null; terms: string[] } {
  if (!TASK_STATUSES.includes(status)) throw new Error(`unknown status ${String(status)}`);
  const is = `t.status = '${status}'`;
  if (sort === 'claim' && status === 'queued') return { index: 'tasks_claim_queued', terms: [is] };
  if (sort === 'claim' && status === 'assigned') return { index: 'tasks_assigned_claim', terms: [is] };
  if (sort === 'updated' && (FINISHED as readonly string[]).includes(status)) {
    return { index: 'tasks_finished_updated', terms: [is, FINISHED_TERM] };
  }
  return { index: null, terms: [is] };
}

/**
 * One page of a listing. In an indexed order over some statuses (a board column; an open
 * listing), each status is read in order from the index that holds it (see `statusRun`) and the
 * runs merged, instead of sorting every matching task for each page: SQLite takes an index's order
 * for one status only.
 */
export function listSql(query: TaskQuery, now: number): { sql: string; params: Record<string, unknown> } {
  const order = taskOrder(query);
  const sort = query.sort ?? (query.ready ? 'claim' : 'created');
  const named = query.status && query.status.length > 0 ? query.status : null;
  const open = query.open ? OPEN_STATUSES : null;
  const statuses = [...new Set(named && open ? named.filter((s) => open.includes(s)) : (named ?? open ?? []))];
  const limit = query.limit ?? -1;
  const offset = query.offset ?? 0;
  // One status in id order is the status index's own order: no run to merge.
  const runsOf = statuses.length > 1 || (statuses.length === 1 && sort !== 'created');
  if (!INDEXED_ORDERS.has(sort) || !runsOf || limit < 0) {
    const { where, params } = taskWhere(query, now);
    return {
      sql: `${SQL.selectTask} ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
      params: { ...params, limit, offset },
    };
  }
  const { where, params } = taskWhere({ ...query, status: undefined, open: undefined }, now);
  const runs = statuses.map((s) => {
    const { index, terms } = statusRun(s, sort);
    const cond = [where.replace(/^WHERE /, ''), ...terms].filter(Boolean).join(' AND ');
    return `SELECT * FROM (${SQL.selectTask}${index ? ` INDEXED BY ${index}` : ''} WHERE ${cond} ORDER BY ${order} LIMIT @upTo)`;
  });
  const sql = `SELECT * FROM (${runs.join(' UNION ALL ')}) t ORDER BY ${order} LIMIT @limit OFFSET @offset`;
  return { sql, params: { ...params, upTo: limit + offset, limit, offset } };
}
