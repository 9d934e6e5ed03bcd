import Database from 'better-sqlite3';
import type { BackupCounts, BackupParts, StoredKey } from '../../core/backup.js';
import { BatonError } from '../../core/errors.js';
import { workflowRecordOf } from '../../core/workflow/record.js';
import { runOf, type WorkflowRun, wakeAtOf } from '../../core/workflow/run.js';
import { anyDataQuery, BACKUP_TABLES, countsOf, countsQuery, PAGE_ROWS } from '../backup-sql.js';
import type { StoreSnapshot } from '../maintenance.js';
import { keyRecordOf, type StoreDump } from '../store.js';
import { teamsPart } from '../teams.js';
import { capacities } from './resources.js';
import { eventToColumns, type Row, rowToEvent, rowToTask, rowToWorker, taskToColumns, workerToColumns } from './rows.js';
import { SQL } from './sql.js';
import { BUSY_TIMEOUT_MS } from './sqlite-lock.js';
import type { SqliteStore } from './sqlite-store.js';
import { listTeams, putTeam } from './teams.js';
import * as triggers from './triggers.js';
import * as workflows from './workflows.js';

/** Backups of the SQLite store: a snapshot read, the online copy of the file, the load of a restore. */

type Stmt = (sql: string) => Database.Statement;

/** The `baton_meta` key of a backup file: when its snapshot was taken (ISO-8601). */
export const BACKUP_TAKEN_AT = 'backup_taken_at';

/** Pages the online backup copies per step: about 4 MB, a few ms of the event loop each. */
const PAGES_PER_STEP = 1_000;

const bare = (table: string) => table;

/** A read-only connection of its own, so that its long read transaction is nobody else's. */
function openSnapshotConnection(path: string): Database.Database {
  if (path === ':memory:') {
    throw new BatonError('invalid_argument', 'a store in memory has no file to back up or read from another connection');
  }
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  // BEGIN only marks the transaction; the first read takes the snapshot every later read sees.
  db.exec('BEGIN');
  return db;
}

function closeSnapshot(db: Database.Database): void {
  if (db.inTransaction) db.exec('COMMIT');
  db.close();
}

export function countRows(db: Database.Database): BackupCounts {
  return countsOf(db.prepare(countsQuery(bare)).get() as Row);
}

export async function sqliteSnapshot<T>(path: string, at: number, fn: (s: StoreSnapshot) => Promise<T>): Promise<T> {
  const db = openSnapshotConnection(path);
  try {
    const schemaVersion = Number(db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get());
    return await fn({ schemaVersion, at, counts: async () => countRows(db), parts: () => readParts(db) });
  } finally {
    closeSnapshot(db);
  }
}

async function* readParts(db: Database.Database): AsyncGenerator<BackupParts> {
  const all = (sql: string) => db.prepare(sql).all() as Row[];
  yield { keys: all('SELECT * FROM api_keys ORDER BY created_at, id').map((r) => keyRecordOf(r) as StoredKey) };
  yield { workers: all('SELECT * FROM workers ORDER BY id').map(rowToWorker) };
  yield { resources: all('SELECT name, capacity FROM resources ORDER BY name') as { name: string; capacity: number }[] };
  yield { teams: listTeams((sql) => db.prepare(sql)) };
  yield {
    workflows: all(
      'SELECT name, version, description, definition, source, created_by, created_at FROM workflows ORDER BY name, version',
    ).map(workflowRecordOf),
  };
  yield { triggers: triggers.listTriggers((sql) => db.prepare(sql)) };
  yield* paged(db, `${SQL.selectTask} WHERE t.id > ? ORDER BY t.id LIMIT ?`, (rows) => ({ tasks: rows.map(rowToTask) }));
  yield* paged(db, 'SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?', (rows) => ({ events: rows.map(rowToEvent) }));
  yield* paged(db, 'SELECT * FROM workflow_runs WHERE id > ? ORDER BY id LIMIT ?', (rows) => ({ runs: rows.map(runOf) }));
}

/** Pages of a table by id (each a short synchronous read; the event loop runs between them). */
async function* paged(db: Database.Database, sql: string, part: (rows: Row[]) => BackupParts): AsyncGenerator<BackupParts> {
  const statement = db.prepare(sql);
  let after = 0;
  for (;;) {
    const rows = statement.all(after, PAGE_ROWS) as Row[];
    if (rows.length === 0) return;
    yield part(rows);
    after = Number(rows.at(-1)?.id);
    if (rows.length < PAGE_ROWS) return;
  }
}

/**
 * The online backup API, from a read transaction held on a connection of its own: every step copies
 * pages of that one snapshot, so the copy never restarts however busy the writers are, and never
 * blocks them (WAL). The rows are counted in the same snapshot, for the verification.
 */
export async function copyDatabase(source: string, target: string): Promise<BackupCounts> {
  const db = openSnapshotConnection(source);
  try {
    const counts = countRows(db);
    await db.backup(target, { progress: () => PAGES_PER_STEP });
    return counts;
  } finally {
    closeSnapshot(db);
  }
}

/**
 * Makes a copied database a file of its own (no WAL beside it) that says when it was taken,
 * checks it page by page and counts its rows; throws `backup_failed` when it is not a sound
 * Baton store.
 */
export function inspectCopy(path: string, takenAt: string): { schemaVersion: number; counts: BackupCounts } {
  const db = new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = DELETE');
    db.prepare(`INSERT OR REPLACE INTO baton_meta (key, value) VALUES ('${BACKUP_TAKEN_AT}', ?)`).run(takenAt);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BatonError('backup_failed', `${path}: the copy fails its check (${String(check)})`);
    const kind = db.prepare("SELECT value FROM baton_meta WHERE key = 'kind'").pluck().get();
    if (kind !== 'baton') throw new BatonError('backup_failed', `${path}: the copy is not a Baton store`);
    const schemaVersion = Number(db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get());
    return { schemaVersion, counts: countRows(db) };
  } finally {
    db.close();
  }
}

/** The export (`baton export`): one read transaction, a single snapshot of the tables while others write. */
export function dumpStore(stmt: Stmt, reader: Database.Database, now: number): StoreDump {
  return reader.transaction(
    (): StoreDump => ({
      format: 'baton-export',
      formatVersion: 1,
      schemaVersion: Number(stmt('SELECT max(version) FROM schema_migrations').pluck().get()),
      exportedAt: new Date(now).toISOString(),
      tasks: (stmt(`${SQL.selectTask} ORDER BY id`).all() as Row[]).map(rowToTask),
      events: (stmt('SELECT * FROM events ORDER BY id').all() as Row[]).map(rowToEvent),
      workers: (stmt('SELECT * FROM workers ORDER BY id').all() as Row[]).map(rowToWorker),
      ...capacities(stmt('SELECT name, capacity FROM resources ORDER BY name').all() as Row[]),
      ...teamsPart(listTeams(stmt)),
    }),
  )();
}

// ── restore ────────────────────────────────────────────────────────────────

export function holdsNothing(stmt: Stmt): boolean {
  return !stmt(anyDataQuery(bare)).pluck().get();
}

export function clearTables(store: SqliteStore): void {
  store.db.pragma('defer_foreign_keys = ON');
  // The search index follows the tasks by trigger.
  for (const table of BACKUP_TABLES) store.stmt(`DELETE FROM ${table}`).run();
  store.stmt(`DELETE FROM sqlite_sequence WHERE name IN ('tasks', 'events', 'workflow_runs')`).run();
}

/** Inserts the rows of a backup, ids kept (the tasks' dependency edges are the caller's). */
export function loadParts(store: SqliteStore, parts: BackupParts): void {
  store.db.pragma('defer_foreign_keys = ON');
  const stmt: Stmt = (sql) => store.stmt(sql);
  for (const k of parts.keys ?? []) {
    stmt(
      'INSERT INTO api_keys (id, hash, role, worker_id, name, capabilities, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(k.id, k.hash, k.role, k.workerId, k.name, JSON.stringify(k.capabilities), Date.parse(k.createdAt), ms(k.revokedAt));
  }
  for (const w of parts.workers ?? []) store.insertRow('workers', workerToColumns(w));
  for (const r of parts.resources ?? []) stmt(SQL.setResource).run(r.name, r.capacity);
  for (const team of parts.teams ?? []) putTeam(stmt, team);
  for (const w of parts.workflows ?? []) workflows.insertWorkflow(stmt, w);
  const names = new Set((parts.triggers ?? []).map((t) => t.workflow));
  for (const name of names) triggers.setTriggers(stmt, name, parts.triggers?.filter((t) => t.workflow === name) ?? []);
  for (const t of parts.tasks ?? []) store.insertRow('tasks', taskToColumns(t));
  for (const e of parts.events ?? []) store.insertRow('events', eventToColumns(e));
  for (const r of parts.runs ?? []) store.insertRow('workflow_runs', runColumns(r));
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

/** A run as its row, id and revision kept; when a sweep looks at it is derived again. */
export function runColumns(r: WorkflowRun): Record<string, unknown> {
  return {
    id: r.id,
    workflow: r.workflow,
    version: r.version,
    params: JSON.stringify(r.params),
    status: r.status,
    parent_task_id: r.parentTaskId,
    steps: JSON.stringify(r.steps),
    error: r.error,
    created_by: r.createdBy,
    created_at: ms(r.createdAt),
    updated_at: ms(r.updatedAt),
    finished_at: ms(r.finishedAt),
    revision: r.revision,
    wake_at: wakeAtOf(r),
  };
}
