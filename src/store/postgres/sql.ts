/**
 * Every statement of the PostgreSQL store, in one place. Table names are qualified with the
 * store's schema rather than relying on `search_path`, because a transaction-mode pooler does not
 * keep session settings. Dynamic statements (patches, filters) are assembled in postgres-store.ts
 * from the fragments exported here.
 */

/** `"name"`, safe for any identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The database clock as integer milliseconds, the unit every time column holds. */
export const NOW_MS = 'floor(extract(epoch FROM now()) * 1000)::bigint';

/** ISO-8601 with milliseconds and `Z`, exactly as `Date.prototype.toISOString` writes it. */
export const isoOf = (ms: string): string =>
  `to_char(timestamp 'epoch' + (${ms}) * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The `Task.lease` object of a row, as core builds it (same keys, same order). */
const leaseOf = (r: string): string =>
  `CASE WHEN ${r}.lease_owner IS NULL OR ${r}.lease_owner = '' THEN NULL ELSE json_build_object(
    'owner', ${r}.lease_owner, 'token', ${r}.lease_token, 'expiresAt', ${isoOf(`${r}.lease_expires_at`)},
    'seconds', coalesce(${r}.lease_seconds, 0)) END`;

const runAfterOf = (r: string): string => `CASE WHEN ${r}.run_after > 0 THEN ${isoOf(`${r}.run_after`)} END`;

/**
 * The `changes` of a `claimed` event: what core `diff(task, claimPatch(...))` yields, field by
 * field in the patch's order, only where the value changed. `b` is the row before, `u` after.
 */
const CLAIM_CHANGES = `(SELECT coalesce(json_object_agg(k, v ORDER BY ord), '{}'::json) FROM (VALUES
    (1, 'status', json_build_array(b.status, u.status), b.status IS DISTINCT FROM u.status),
    (2, 'assignee', json_build_array(b.assignee, u.assignee), b.assignee IS DISTINCT FROM u.assignee),
    (3, 'lease', json_build_array(${leaseOf('b')}, ${leaseOf('u')}), true),
    (4, 'leaseToken', json_build_array(b.lease_token, u.lease_token), true),
    (5, 'attempts', json_build_array(b.attempts, u.attempts), true),
    (6, 'startedAt', json_build_array(${isoOf('b.started_at')}, ${isoOf('u.started_at')}), b.started_at IS NULL),
    (7, 'runAfter', json_build_array(${runAfterOf('b')}, NULL::text), b.run_after > 0)
  ) AS c(ord, k, v, changed) WHERE changed)`;

/** Every writable column of `tasks` (`cap_count` is derived from `capabilities`). */
const TASK_COLUMNS = `id, title, description, type, status, priority, capabilities, resources, queue, tags, parent_id, estimate_minutes,
  complexity, command, input, result, progress, assignee, reserved_for, attempts, retries, max_retries, retry_policy,
  timeout_seconds, last_error, review, notes, checkpoints, artifacts, lease_owner, lease_token, lease_expires_at,
  lease_seconds, paused_from, created_by, created_at, updated_at, started_at, completed_at, run_after, ready_at,
  claim_order, recurrence, team, collaborators, swarm, swarm_of, input_from, version`;

/** The columns a task is read from (not the search vector, which only the index needs), of alias `t`. */
const TASK_READ = `${TASK_COLUMNS.split(',')
  .map((c) => `t.${c.trim()}`)
  .join(', ')}, t.cap_count`;

/**
 * The columns a patch may set: what `patchToColumns` (rows.ts) can produce. Batched writes send
 * each row only the columns its patch sets; the others keep their value.
 */
const PATCH_COLUMNS = [
  'title',
  'description',
  'type',
  'status',
  'priority',
  'capabilities',
  'resources',
  'queue',
  'tags',
  'parent_id',
  'estimate_minutes',
  'complexity',
  'command',
  'input',
  'result',
  'progress',
  'assignee',
  'reserved_for',
  'attempts',
  'retries',
  'max_retries',
  'retry_policy',
  'timeout_seconds',
  'last_error',
  'review',
  'notes',
  'checkpoints',
  'artifacts',
  'lease_owner',
  'lease_token',
  'lease_expires_at',
  'lease_seconds',
  'paused_from',
  'created_by',
  'started_at',
  'completed_at',
  'run_after',
  'ready_at',
  'claim_order',
  'recurrence',
  'team',
  'collaborators',
  'swarm',
  'swarm_of',
  'input_from',
  'updated_at',
] as const;

/** `col = <the patch's value if it sets col, else the current one>`: `v.r` the patch as a row, `v.k` its keys. */
const SET_FROM_PATCH = PATCH_COLUMNS.map((c) => `${c} = CASE WHEN '${c}' = ANY(v.k) THEN (v.r).${c} ELSE t.${c} END`).join(
  ',\n      ',
);

export type Statements = ReturnType<typeof statements>;

/**
 * The claim's parameters beyond the first five: the queues the worker serves (text[] or null), the
 * per-queue caps (jsonb `{queue: cap}`), the store-wide cap (bigint or null), and whether tasks
 * holding resources may be taken.
 */
interface QueueParams {
  only: string;
  qcaps: string;
  max: string;
  withResources: string;
}

/** The statements of one store, for its schema. */
export function statements(schemaName: string) {
  const s = ident(schemaName);
  const tasks = `${s}.tasks`;
  const deps = `${s}.task_dependencies`;
  const events = `${s}.events`;
  const workers = `${s}.workers`;
  const conditionsOf = (t: string) => `(SELECT coalesce(json_agg(json_build_object('on', d.depends_on, 'if', d.condition)
    ORDER BY d.depends_on), '[]') FROM ${deps} d WHERE d.task_id = ${t}.id AND d.condition IS NOT NULL) AS conditions`;
  const dependsOn = `(SELECT coalesce(array_agg(d.depends_on ORDER BY d.depends_on), '{}') FROM ${deps} d WHERE d.task_id = t.id) AS depends_on,
    ${conditionsOf('t')}`;
  const selectTask = `SELECT ${TASK_READ}, ${dependsOn} FROM ${tasks} t`;
  const BEFORE =
    't.id, t.claim_order, t.cap_count, t.resources, t.queue, t.status, t.assignee, t.lease_owner, t.lease_token, t.lease_expires_at, t.lease_seconds, t.attempts, t.started_at, t.run_after, t.swarm_of';
  // Best ready tasks of one kind (queued, or reserved for this worker), locked; rows another
  // claimer holds are skipped rather than waited for, so claimers never queue behind each other.
  // `cap_count = 0 OR` states what `<@` implies anyway, but the planner estimates it from column
  // statistics instead of a fixed guess for `<@` so tiny that it sorts every queued row rather
  // than read the index in claim order.
  // A task holding resources is a candidate only when the claim holds the locks of the resources
  // ready tasks name (`withResources`, see resources.ts) and each of its resources has a free
  // slot: fewer executing tasks name it than its capacity (1 when none was given).
  const free = (withResources: string) => `(t.resources = '{}' OR (${withResources}::boolean AND NOT EXISTS (
      SELECT 1 FROM unnest(t.resources) rn
      WHERE coalesce((SELECT r.capacity FROM ${s}.resources r WHERE r.name = rn), 1) <= (
        SELECT count(*) FROM ${tasks} h WHERE h.status = 'executing' AND rn = ANY(h.resources)))))`;
  // Leased tasks executing in one queue (a parent following its subtasks holds no lease).
  const executingIn = (queue: string) =>
    `(SELECT count(*) FROM ${tasks} h WHERE h.status = 'executing' AND h.lease_owner IS NOT NULL AND h.queue = ${queue})`;
  // Teamwork (migration 19): a team's task only for its members ($1), and never a second attempt
  // of one swarm for a worker that took another (held, done or reserved).
  const teamwork = `(t.team IS NULL OR EXISTS (SELECT 1 FROM ${s}.team_members m WHERE m.team = t.team AND m.worker_id = $1))
      AND (t.swarm_of IS NULL OR NOT EXISTS (SELECT 1 FROM ${tasks} sib
        WHERE sib.swarm_of = t.swarm_of AND sib.id <> t.id AND (sib.assignee = $1 OR sib.reserved_for = $1)))`;
  // Of a queue the claim may take from (see queues.ts): not paused (nor the whole system), among
  // those the worker serves ($only, null: all), and under its cap ($qcaps: {queue: cap}, json).
  const inQueues = (p: QueueParams) => `NOT EXISTS (SELECT 1 FROM ${s}.queue_pauses qp WHERE qp.queue IN ('*', t.queue))
      AND (${p.only}::text[] IS NULL OR t.queue = ANY(${p.only}::text[]))
      AND (${p.qcaps}::text::jsonb ->> t.queue IS NULL OR ${executingIn('t.queue')} < (${p.qcaps}::text::jsonb ->> t.queue)::int)`;
  const candidates = (where: string, p: QueueParams) => `SELECT ${BEFORE} FROM ${tasks} t
    WHERE ${where} AND t.run_after <= (SELECT now_ms FROM clock) AND (t.cap_count = 0 OR t.capabilities <@ $2::text[])
      AND ($5::boolean IS NOT TRUE OR (t.command IS NOT NULL AND t.command <> '')) AND ${free(p.withResources)}
      AND ${inQueues(p)} AND ${teamwork}
    ORDER BY t.claim_order, t.cap_count DESC, t.id LIMIT $3 FOR UPDATE SKIP LOCKED`;

  /**
   * The claim statement; `only` narrows both kinds of candidates (one task by id); `withResources`
   * is the parameter saying whether tasks holding resources may be taken. One claim takes at most
   * one such task: the holders it counts are those of before the statement.
   */
  const claimStatement = (only: string, p: QueueParams) => `WITH clock AS (SELECT ${NOW_MS} AS now_ms),
  reserved AS (${candidates(`t.status = 'assigned' AND t.reserved_for = $1${only}`, p)}),
  queued AS (${candidates(`t.status = 'queued'${only}`, p)}),
  both_kinds AS (SELECT *, row_number() OVER (PARTITION BY queue ORDER BY claim_order, cap_count DESC, id) AS in_queue
    FROM (SELECT * FROM reserved UNION ALL SELECT * FROM queued) u),
  picked AS (SELECT * FROM both_kinds c
    WHERE (c.swarm_of IS NULL OR c.id = (SELECT min(x.id) FROM both_kinds x WHERE x.swarm_of = c.swarm_of))
      AND (c.resources = '{}' OR c.id = (SELECT x.id FROM both_kinds x WHERE x.resources <> '{}'
      ORDER BY x.claim_order, x.cap_count DESC, x.id LIMIT 1))
      AND (${p.qcaps}::text::jsonb ->> c.queue IS NULL OR c.in_queue <= (${p.qcaps}::text::jsonb ->> c.queue)::int - ${executingIn('c.queue')})
    ORDER BY c.claim_order, c.cap_count DESC, c.id
    LIMIT CASE WHEN ${p.max}::bigint IS NULL THEN $3
      ELSE least($3, greatest(0, ${p.max}::bigint - (SELECT count(*) FROM ${tasks} h WHERE h.status = 'executing' AND h.lease_owner IS NOT NULL))) END),
  claimed AS (
    UPDATE ${tasks} t SET status = 'executing', assignee = $1, lease_owner = $1, lease_token = t.lease_token + 1,
      lease_expires_at = k.now_ms + trunc($4::float8)::bigint, lease_seconds = $4::float8 / 1000,
      attempts = t.attempts + 1, started_at = coalesce(t.started_at, k.now_ms), run_after = 0,
      updated_at = k.now_ms, version = t.version + 1
    FROM picked p, clock k WHERE t.id = p.id
    RETURNING ${TASK_READ}),
  logged AS (
    INSERT INTO ${events} (task_id, worker_id, actor, type, at, changes, data)
    SELECT u.id, $1, $1, 'claimed', k.now_ms, ${CLAIM_CHANGES}, NULL
    FROM claimed u JOIN picked b ON b.id = u.id CROSS JOIN clock k
    ORDER BY u.claim_order, u.cap_count DESC, u.id)
SELECT u.*, (SELECT coalesce(array_agg(d.depends_on ORDER BY d.depends_on), '{}') FROM ${deps} d WHERE d.task_id = u.id) AS depends_on,
  ${conditionsOf('u')}
FROM claimed u ORDER BY u.claim_order, u.cap_count DESC, u.id`;

  return {
    schema: s,
    nowMs: `SELECT ${NOW_MS} AS now_ms`,
    begin: `BEGIN; SELECT ${NOW_MS} AS now_ms`,
    selectTask,
    dependsOn,
    tasks,
    events,
    workers,
    deps,

    taskById: `${selectTask} WHERE t.id = $1`,
    tasksByIds: `${selectTask} WHERE t.id = ANY($1::bigint[]) ORDER BY t.id`,
    // Inside a transaction the row is locked, so a read followed by a version-guarded write
    // cannot lose to another writer.
    taskByIdForUpdate: `${selectTask} WHERE t.id = $1 FOR UPDATE OF t`,
    tasksByIdsForShare: `${selectTask} WHERE t.id = ANY($1::bigint[]) ORDER BY t.id FOR SHARE OF t`,
    dependentsForUpdate: `SELECT ${TASK_READ}, ${dependsOn} FROM ${deps} x JOIN ${tasks} t ON t.id = x.task_id
      WHERE x.depends_on = $1 ORDER BY t.id FOR UPDATE OF t`,

    /**
     * SPEC §4 in one statement. Params: $1 worker id, $2 worker capabilities (text[]), $3 limit,
     * $4 lease length in ms, $5 only tasks that have a shell command. Picks, leases (as core `claimPatch`), bumps the version and appends
     * one `claimed` event per task; returns the claimed rows in claim order.
     */
    /** $6–$8 the queues and caps (`QueueParams`), $9 whether tasks holding resources may be taken. */
    claim: claimStatement('', { only: '$6', qcaps: '$7', max: '$8', withResources: '$9' }),
    /** `claim` of one task: $6 its id, then as `claim` from $7. */
    claimById: claimStatement(' AND t.id = $6', { only: '$7', qcaps: '$8', max: '$9', withResources: '$10' }),
    /** The resources ready tasks name, sorted. */
    readyResources: `SELECT coalesce(array_agg(DISTINCT n ORDER BY n), '{}') AS names
      FROM ${tasks} t, unnest(t.resources) n WHERE t.status IN ('queued', 'assigned') AND t.resources <> '{}'`,
    // $1 resource names, sorted (so claimers lock in one order and never deadlock); $2 the key prefix.
    lockResources: 'SELECT count(pg_advisory_xact_lock(hashtext($2 || n))) FROM unnest($1::text[]) AS n',
    // $1 names; $2 capacities (given where a name is new).
    ensureResources: `INSERT INTO ${s}.resources (name, capacity) SELECT * FROM unnest($1::text[], $2::int[])
      ORDER BY 1 ON CONFLICT (name) DO NOTHING`,
    resourceCapacities: `SELECT name, capacity FROM ${s}.resources WHERE name = ANY($1::text[])`,
    resourceForUpdate: `SELECT capacity FROM ${s}.resources WHERE name = $1 FOR UPDATE`,
    setResource: `INSERT INTO ${s}.resources (name, capacity) VALUES ($1, $2)
      ON CONFLICT (name) DO UPDATE SET capacity = excluded.capacity`,
    listResources: `WITH named AS (
        SELECT name FROM ${s}.resources
        UNION SELECT n FROM ${tasks} t, unnest(t.resources) n
          WHERE t.status IN ('queued', 'assigned', 'executing', 'blocked', 'paused') AND t.resources <> '{}')
      SELECT n.name, coalesce(r.capacity, 1)::int AS capacity,
        (SELECT coalesce(array_agg(h.id ORDER BY h.id), '{}') FROM ${tasks} h WHERE h.status = 'executing' AND n.name = ANY(h.resources)) AS holders,
        (SELECT count(*)::int FROM ${tasks} w WHERE w.status IN ('queued', 'assigned') AND n.name = ANY(w.resources)) AS waiting
      FROM named n LEFT JOIN ${s}.resources r ON r.name = n.name ORDER BY n.name`,

    // Batched single-task changes (task-writes.ts): lock the rows, learn which have dependents,
    // then write every row and its event in one statement.
    tasksByIdsForUpdate: `${selectTask} WHERE t.id = ANY($1::bigint[]) ORDER BY t.id FOR UPDATE OF t`,
    dependedOn: `SELECT DISTINCT depends_on AS id FROM ${deps} WHERE depends_on = ANY($1::bigint[])`,
    /**
     * Params: $1 JSON array of `{id, version, set}` (set: the columns to write, JSON values), $2
     * JSON array of event records in the same order, $3 the ids (so the planner reads them by key
     * rather than joining the whole table). A row is written only at the version read under
     * lock; an event only with its row. Returns the ids of the tasks written.
     */
    // MATERIALIZED: each patch is parsed into a row once, not once per column it is read from.
    writeTasks: `WITH v AS MATERIALIZED (
    SELECT (e ->> 'id')::bigint AS id, (e ->> 'version')::integer AS version,
      json_populate_record(NULL::${tasks}, e -> 'set') AS r, ARRAY(SELECT json_object_keys(e -> 'set')) AS k
    FROM json_array_elements($1::text::json) e),
  written AS (
    UPDATE ${tasks} t SET ${SET_FROM_PATCH},
      version = t.version + 1
    FROM v WHERE t.id = v.id AND t.version = v.version AND t.id = ANY($3::bigint[])
    RETURNING t.id)
INSERT INTO ${events} (task_id, worker_id, actor, type, at, changes, data)
SELECT e.task_id, e.worker_id, e.actor, e.type, e.at, e.changes, e.data
FROM json_populate_recordset(NULL::${events}, $2::text::json) WITH ORDINALITY AS e
JOIN written w ON w.id = e.task_id
ORDER BY e.ordinality
RETURNING task_id`,

    expiredLeases: `SELECT id FROM ${tasks} WHERE status = 'executing' AND lease_expires_at <= $1 ORDER BY lease_expires_at LIMIT $2`,
    // Templates of recurring tasks whose newest occurrence's fire time (ISO text, $1) has passed.
    dueRecurrences: `SELECT id FROM ${tasks} WHERE recurrence IS NOT NULL AND status = 'blocked'
      AND recurrence->>'templateId' IS NULL AND recurrence->>'fireAt' <= $1 ORDER BY id LIMIT $2`,
    // One look for the sweep: whether each of its reads could find anything, at the store's now.
    sweepDue: `WITH c AS (SELECT ${NOW_MS} AS now_ms)
      SELECT c.now_ms,
        EXISTS (SELECT 1 FROM ${tasks} WHERE status = 'executing' AND lease_expires_at <= c.now_ms) AS leases,
        EXISTS (SELECT 1 FROM ${tasks} WHERE status = 'assigned' AND reserved_for IS NOT NULL) AS reserved,
        EXISTS (SELECT 1 FROM ${s}.offers WHERE closed_at IS NULL) AS offers,
        EXISTS (SELECT 1 FROM ${tasks} WHERE recurrence IS NOT NULL AND status = 'blocked'
          AND recurrence->>'templateId' IS NULL AND recurrence->>'fireAt' <= ${isoOf('c.now_ms')}) AS recurrences,
        EXISTS (SELECT 1 FROM ${s}.workflow_triggers) AS triggers,
        EXISTS (SELECT 1 FROM ${s}.workflow_runs WHERE status = 'running' AND wake_at <= c.now_ms) AS runs
      FROM c`,
    // When an idle worker should look again even without a wake-up: a delayed task falls due or
    // a lease runs out (its task returns to the queue when someone expires it).
    // $1: how long ago the wait began (ms). A task that fell due since then counts (its due time is
    // past: wake now), or a lookup that ran late, on a busy machine, would leave the waiter asleep.
    nextDue: `SELECT (SELECT min(run_after) FROM ${tasks} WHERE status IN ('queued', 'assigned') AND run_after > 0 AND run_after > ${NOW_MS} - $1::bigint) AS run_after,
      (SELECT min(lease_expires_at) FROM ${tasks} WHERE status = 'executing') AS lease_expires_at, ${NOW_MS} AS now_ms`,
    countByStatus: `SELECT status, count(*)::int AS n FROM ${tasks} GROUP BY status`,
    countCompletedSince: `SELECT count(*)::int AS n FROM ${tasks} WHERE completed_at >= $1`,
    // $1 now (ms); $2…$6 breach cut-offs for critical, high, normal, low, maintenance (-1: no target).
    readyCounts: `SELECT priority, count(*)::int AS n,
        count(*) FILTER (WHERE coalesce(ready_at, created_at) < CASE priority WHEN 'critical' THEN $2::bigint
          WHEN 'high' THEN $3::bigint WHEN 'normal' THEN $4::bigint WHEN 'low' THEN $5::bigint ELSE $6::bigint END)::int AS breaches
      FROM ${tasks} WHERE status IN ('queued', 'assigned') AND run_after <= $1 GROUP BY priority`,
    // Leases and reservations waiting to be claimed, per worker (hybrid assignment's load).
    heldByWorker: `SELECT coalesce(lease_owner, reserved_for) AS owner, count(*)::int AS n FROM ${tasks}
      WHERE (status = 'executing' AND lease_owner IS NOT NULL) OR status = 'assigned' GROUP BY 1`,
    // $1: how many. The newest finished tasks (hybrid assignment's success and speed).
    recentFinished: `${selectTask} WHERE t.status IN ('completed', 'failed') ORDER BY t.id DESC LIMIT $1`,
    leasesByWorker: `SELECT lease_owner AS owner, id FROM ${tasks} WHERE status = 'executing' AND lease_owner IS NOT NULL ORDER BY id`,

    // $1 the schema's dependency graph, as `baton.dependencies.<schema>`; held to the end of the transaction.
    lockDependencyGraph: 'SELECT pg_advisory_xact_lock(hashtext($1))',
    dependencyClosure: `WITH RECURSIVE reach(id) AS (
        SELECT unnest($1::bigint[])
        UNION SELECT d.depends_on FROM ${deps} d JOIN reach r ON d.task_id = r.id)
      SELECT d.task_id, d.depends_on FROM ${deps} d JOIN reach r ON d.task_id = r.id`,
    addDependencies: `INSERT INTO ${deps} (task_id, depends_on) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
    // $1 task, $2 dependencies, $3 their conditions (same order): set, adding the edge if missing.
    setConditions: `INSERT INTO ${deps} (task_id, depends_on, condition) SELECT $1, c.dep, c.cond
      FROM unnest($2::bigint[], $3::text[]) AS c(dep, cond)
      ON CONFLICT (task_id, depends_on) DO UPDATE SET condition = excluded.condition`,
    removeDependency: `DELETE FROM ${deps} WHERE task_id = $1 AND depends_on = $2`,

    eventsOfTask: `SELECT * FROM ${events} WHERE task_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
    eventsAfter: `SELECT * FROM ${events} WHERE id > $1 ORDER BY id LIMIT $2`,
    eventsOfTasks: `SELECT * FROM (
        SELECT e.*, ROW_NUMBER() OVER (PARTITION BY task_id ORDER BY id DESC) AS newest
        FROM ${events} e WHERE task_id = ANY($1::bigint[]) AND id > $2
      ) AS t WHERE $3::bigint IS NULL OR newest <= $3 ORDER BY id LIMIT $4`,
    allEvents: `SELECT * FROM ${events} ORDER BY id`,
    insertEvent: `INSERT INTO ${events} (task_id, worker_id, actor, type, at, changes, data)
      VALUES ($1, $2, $3, $4, $5, $6::text::json, $7::text::json)`,

    workerById: `SELECT * FROM ${workers} WHERE id = $1`,
    workerByIdForUpdate: `SELECT * FROM ${workers} WHERE id = $1 FOR UPDATE`,
    allWorkers: `SELECT * FROM ${workers} ORDER BY id`,
    upsertWorker: `INSERT INTO ${workers} (id, name, capabilities, host, pid, concurrency, version, registered_at, last_seen_at, state, usage, breaker)
      VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::text::json)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities, host = excluded.host,
        pid = excluded.pid, concurrency = excluded.concurrency, version = excluded.version,
        last_seen_at = excluded.last_seen_at, state = excluded.state, usage = excluded.usage, breaker = excluded.breaker
      RETURNING (xmax = 0) AS created`,

    anyRows: `SELECT EXISTS (SELECT 1 FROM ${tasks}) OR EXISTS (SELECT 1 FROM ${events}) OR EXISTS (SELECT 1 FROM ${workers}) AS any`,
    schemaVersion: `SELECT coalesce(max(version), 0)::int AS version FROM ${s}.schema_migrations`,
    migrations: `SELECT version, name, applied_at FROM ${s}.schema_migrations ORDER BY version`,

    // Bulk load: one statement per table and chunk, rows given as a JSON array of column objects.
    loadTasks: `INSERT INTO ${tasks} (${TASK_COLUMNS}) SELECT ${TASK_COLUMNS} FROM json_populate_recordset(NULL::${tasks}, $1::json)`,
    loadDependencies: `INSERT INTO ${deps} (task_id, depends_on, condition)
      SELECT (e->>0)::bigint, (e->>1)::bigint, e->>2 FROM json_array_elements($1::json) e`,
    loadEvents: `INSERT INTO ${events} SELECT * FROM json_populate_recordset(NULL::${events}, $1::json)`,
    loadWorkers: `INSERT INTO ${workers} SELECT * FROM json_populate_recordset(NULL::${workers}, $1::json)`,
    // Identity columns do not follow explicit ids: move them past the loaded rows.
    // After a bulk load the planner must not go on believing the tables are empty.
    analyzeLoaded: `ANALYZE ${tasks}, ${deps}, ${events}`,
    resetSequences: `SELECT setval(pg_get_serial_sequence('${s}.tasks', 'id'), coalesce((SELECT max(id) FROM ${tasks}), 0) + 1, false),
      setval(pg_get_serial_sequence('${s}.events', 'id'), coalesce((SELECT max(id) FROM ${events}), 0) + 1, false)`,
  };
}
