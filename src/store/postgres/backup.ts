import type { BackupParts, StoredKey } from '../../core/backup.js';
import { runOf, type WorkflowRun, wakeAtOf } from '../../core/workflow/run.js';
import { triggerOf } from '../../core/workflow/triggers.js';
import { anyDataQuery, BACKUP_TABLES, countsOf, countsQuery, PAGE_ROWS } from '../backup-sql.js';
import type { StoreSnapshot } from '../maintenance.js';
import { keyRecordOf, type StoreDump } from '../store.js';
import { teamsOf, teamsPart } from '../teams.js';
import type { Queryable } from './connection.js';
import type { PostgresStore } from './postgres-store.js';
import { inTransaction } from './reservation.js';
import { capacities } from './resources.js';
import { eventToRecord, type Row, rowToEvent, rowToTask, rowToWorker, taskToRecord, workerToRecord } from './rows.js';
import { ident, NOW_MS } from './sql.js';
import { recordsOf } from './workflows.js';

/**
 * Backups of the PostgreSQL store: every table of the schema read in one REPEATABLE READ, READ
 * ONLY transaction (one snapshot, no lock that writers wait for), and the bulk load of a restore.
 */

const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

type Query = (text: string, params?: readonly unknown[]) => Promise<Row[]>;
const qualify = (store: PostgresStore) => (table: string) => `${ident(store.settings.schema)}.${table}`;

export function pgSnapshot<T>(store: PostgresStore, fn: (s: StoreSnapshot) => Promise<T>): Promise<T> {
  return inTransaction(store.sql, SNAPSHOT, { committing: false }, async (conn) => {
    const q: Query = (text, params = []) => store.exec(conn, text, params);
    // The first statement takes the snapshot every later one reads.
    const [head] = await q(`SELECT ${NOW_MS} AS now_ms, (${store.st.schemaVersion}) AS version`);
    const t = qualify(store);
    return fn({
      schemaVersion: Number(head?.version),
      at: Number(head?.now_ms),
      counts: async () => countsOf((await q(countsQuery(t)))[0]),
      parts: () => readParts(store, q),
    });
  });
}

async function* readParts(store: PostgresStore, q: Query): AsyncGenerator<BackupParts> {
  const t = qualify(store);
  yield { keys: (await q(`SELECT * FROM ${t('api_keys')} ORDER BY created_at, id`)).map((r) => keyRecordOf(r) as StoredKey) };
  yield { workers: (await q(store.st.allWorkers)).map(rowToWorker) };
  const resources = await q(`SELECT name, capacity FROM ${t('resources')} ORDER BY name`);
  yield { resources: capacities(resources).resources ?? [] };
  yield { teams: teamsOf((await q(store.teams.listTeams)) as never, (await q(store.teams.listMembers)) as never) };
  const workflows = `SELECT name, version, description, definition, source, created_by, created_at FROM ${t('workflows')} ORDER BY name, version`;
  yield { workflows: recordsOf(await q(workflows)) };
  yield { triggers: (await q(store.triggers.list)).map(triggerOf) };
  yield* paged(q, `${store.st.selectTask} WHERE t.id > $1 ORDER BY t.id LIMIT $2`, (rows) => ({ tasks: rows.map(rowToTask) }));
  yield* paged(q, `SELECT * FROM ${t('events')} WHERE id > $1 ORDER BY id LIMIT $2`, (rows) => ({
    events: rows.map(rowToEvent),
  }));
  yield* paged(q, `SELECT * FROM ${t('workflow_runs')} WHERE id > $1 ORDER BY id LIMIT $2`, (rows) => ({
    runs: rows.map(runOf),
  }));
}

async function* paged(q: Query, text: string, part: (rows: Row[]) => BackupParts): AsyncGenerator<BackupParts> {
  let after = 0;
  for (;;) {
    const rows = await q(text, [after, PAGE_ROWS]);
    if (rows.length === 0) return;
    yield part(rows);
    after = Number(rows.at(-1)?.id);
    if (rows.length < PAGE_ROWS) return;
  }
}

/** The export (`baton export`): one snapshot for all its tables, so it is consistent while others write. */
export async function dumpStore(store: PostgresStore, tx: Queryable): Promise<StoreDump> {
  const q: Query = (text, params = []) => store.exec(tx, text, params);
  const [version] = await q(store.st.schemaVersion);
  const tasks = await q(`${store.st.selectTask} ORDER BY t.id`);
  const events = await q(store.st.allEvents);
  const workers = await q(store.st.allWorkers);
  const resources = await q(`SELECT name, capacity FROM ${store.st.schema}.resources ORDER BY name`);
  return {
    format: 'baton-export' as const,
    formatVersion: 1 as const,
    schemaVersion: Number(version?.version),
    exportedAt: new Date(Number((await q(store.st.nowMs))[0]?.now_ms)).toISOString(),
    tasks: tasks.map(rowToTask),
    events: events.map(rowToEvent),
    ...capacities(resources),
    workers: workers.map(rowToWorker),
    ...teamsPart(teamsOf((await q(store.teams.listTeams)) as never, (await q(store.teams.listMembers)) as never)),
  };
}

// ── restore ────────────────────────────────────────────────────────────────

export async function holdsNothing(store: PostgresStore, q: Query): Promise<boolean> {
  const [row] = await q(anyDataQuery(qualify(store)));
  return !row?.any;
}

export async function clearTables(store: PostgresStore, q: Query): Promise<void> {
  const t = qualify(store);
  await q(`TRUNCATE ${BACKUP_TABLES.map(t).join(', ')} RESTART IDENTITY`);
}

/** Rows as `json_populate_recordset` reads them: one statement per table and page. */
export async function loadParts(store: PostgresStore, q: Query, parts: BackupParts): Promise<void> {
  const t = qualify(store);
  const st = store.st;
  await q('SET CONSTRAINTS ALL DEFERRED');
  const insert = (table: string, cols: string) =>
    `INSERT INTO ${t(table)} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${t(table)}, $1::json)`;
  await chunked(q, insert('api_keys', KEY_COLUMNS), (parts.keys ?? []).map(keyRecord));
  await chunked(q, st.loadWorkers, (parts.workers ?? []).map(workerToRecord));
  for (const r of parts.resources ?? []) await q(st.setResource, [r.name, r.capacity]);
  for (const team of parts.teams ?? []) {
    await q(store.teams.upsertTeam, [team.name, team.leader, Date.parse(team.createdAt)]);
    await q(store.teams.addMembers, [team.name, team.members]);
  }
  await chunked(q, insert('workflows', WORKFLOW_COLUMNS), (parts.workflows ?? []).map(workflowRecord));
  await chunked(q, insert('workflow_triggers', TRIGGER_COLUMNS), (parts.triggers ?? []).map(triggerRecord));
  const tasks = parts.tasks ?? [];
  await chunked(q, st.loadTasks, tasks.map(taskToRecord));
  const edges = tasks.flatMap((t) => t.dependsOn.map((d) => [t.id, d, t.conditions.find((c) => c.on === d)?.if ?? null]));
  await chunked(q, st.loadDependencies, edges);
  await chunked(q, st.loadEvents, (parts.events ?? []).map(eventToRecord));
  await chunked(q, insert('workflow_runs', RUN_COLUMNS), (parts.runs ?? []).map(runRecord));
}

/** Identity columns do not follow explicit ids: each moves past the loaded rows. */
export async function finishLoad(store: PostgresStore, q: Query): Promise<void> {
  const s = store.st.schema;
  await q(store.st.resetSequences);
  await q(
    `SELECT setval(pg_get_serial_sequence('${s}.workflow_runs', 'id'), coalesce((SELECT max(id) FROM ${s}.workflow_runs), 0) + 1, false)`,
  );
  await q(`ANALYZE ${s}.tasks, ${s}.task_dependencies, ${s}.events, ${s}.workflow_runs`);
}

/** As the export's load does: the page itself is the parameter, sent as JSON. */
async function chunked(q: Query, text: string, rows: unknown[]): Promise<void> {
  for (let i = 0; i < rows.length; i += PAGE_ROWS) await q(text, [rows.slice(i, i + PAGE_ROWS)]);
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

const KEY_COLUMNS = 'id, hash, role, worker_id, name, capabilities, created_at, revoked_at';
const keyRecord = (k: StoredKey) => ({
  id: k.id,
  hash: k.hash,
  role: k.role,
  worker_id: k.workerId,
  name: k.name,
  capabilities: JSON.stringify(k.capabilities),
  created_at: ms(k.createdAt),
  revoked_at: ms(k.revokedAt),
});

const WORKFLOW_COLUMNS = 'name, version, description, definition, source, created_by, created_at';
const workflowRecord = (w: NonNullable<BackupParts['workflows']>[number]) => ({
  name: w.name,
  version: w.version,
  description: w.description,
  definition: w.definition,
  source: w.source,
  created_by: w.createdBy,
  created_at: ms(w.createdAt),
});

const TRIGGER_COLUMNS = 'workflow, idx, version, kind, next_at, cursor, last_fired_at, last_run_id';
const triggerRecord = (s: NonNullable<BackupParts['triggers']>[number]) => ({
  workflow: s.workflow,
  idx: s.index,
  version: s.version,
  kind: s.kind,
  next_at: ms(s.nextAt),
  cursor: s.cursor,
  last_fired_at: ms(s.lastFiredAt),
  last_run_id: s.lastRunId,
});

const RUN_COLUMNS =
  'id, workflow, version, params, status, parent_task_id, steps, error, created_by, created_at, updated_at, finished_at, revision, wake_at';
const runRecord = (r: WorkflowRun) => ({
  id: r.id,
  workflow: r.workflow,
  version: r.version,
  params: r.params,
  status: r.status,
  parent_task_id: r.parentTaskId,
  steps: r.steps,
  error: r.error,
  created_by: r.createdBy,
  created_at: ms(r.createdAt),
  updated_at: ms(r.updatedAt),
  finished_at: ms(r.finishedAt),
  revision: r.revision,
  // When a sweep looks at the run is derived from its state, as every write derives it.
  wake_at: wakeAtOf(r),
});
