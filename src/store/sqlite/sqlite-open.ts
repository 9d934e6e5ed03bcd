import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type Clock, systemClock } from '../../core/clock.js';
import { BatonError } from '../../core/errors.js';
import { newestRecorded, pendingMigrations } from '../migration-plan.js';
import { newerStoreError } from '../store.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations.js';
import { BUSY_TIMEOUT_MS, immediate } from './sqlite-lock.js';
import { SqliteStore } from './sqlite-store.js';

export interface SqliteOptions {
  /** Create the file (and its folder) when missing. */
  create: boolean;
  /** The store's clock (default: the system clock). */
  clock?: Clock | undefined;
}

export function openSqliteStore(path: string, options: SqliteOptions): SqliteStore {
  if (path !== ':memory:' && !existsSync(path)) {
    if (!options.create) throw new BatonError('store_not_found', `no Baton store at ${path}`, { path });
    // The store holds every task's input and the hashes of the API keys: only its owner reads it.
    // SQLite gives the -wal and -shm files the mode of the database file.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'wx', 0o600));
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    assertBatonFile(db, path);
    // Before any pragma or migration: a store this Baton refuses is left exactly as it was.
    assertKnownVersion(db, path);
  } catch (err) {
    db?.close();
    if (err instanceof BatonError) throw err;
    throw new BatonError('not_a_store', `${path} is not a Baton store (${(err as Error).message})`, { path });
  }
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit survives a crash of the process; only an OS crash can lose the last few.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Checkpoints are where WAL mode pays for durability (fsync); fewer, larger ones cost less per commit.
  db.pragma('wal_autocheckpoint = 4000');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  let reader: Database.Database | undefined;
  try {
    migrate(db, path, options.clock ?? systemClock);
    if (path !== ':memory:') reader = openReader(path);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStore(db, path, { reader, clock: options.clock });
}

/** The connection for reads outside transactions (see SqliteStore): it sees committed writes only. */
function openReader(path: string): Database.Database {
  const reader = new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  reader.pragma('query_only = ON');
  reader.pragma('temp_store = MEMORY');
  reader.pragma('cache_size = -32000');
  return reader;
}

/** Refuses files that are not SQLite, and SQLite files that belong to something else. */
function assertBatonFile(db: Database.Database, path: string): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (tables.length === 0) return;
  if (!tables.includes('baton_meta')) {
    throw new BatonError('not_a_store', `${path} is a SQLite database but not a Baton store`, { path });
  }
  const kind = db.prepare("SELECT value FROM baton_meta WHERE key = 'kind'").pluck().get();
  if (kind !== 'baton') throw new BatonError('not_a_store', `${path} is not a Baton store`, { path });
}

function recordedVersions(db: Database.Database): number[] {
  return (db.prepare('SELECT version FROM schema_migrations').pluck().all() as unknown[]).map(Number);
}

function assertKnownVersion(db: Database.Database, path: string): void {
  const recorded = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!recorded) return;
  const version = newestRecorded(recordedVersions(db));
  if (version > LATEST_VERSION) throw newerStoreError(path, version, LATEST_VERSION);
}

function migrate(db: Database.Database, path: string, clock: Clock): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  if (pendingMigrations(MIGRATIONS, recordedVersions(db)).length === 0) return;
  const at = new Date(clock.now()).toISOString();
  immediate(db, () => {
    // Read again under the write lock: another process (or a newer Baton) may have migrated
    // since the first look, and what it applied must not be applied twice.
    assertKnownVersion(db, path);
    for (const m of pendingMigrations(MIGRATIONS, recordedVersions(db))) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, at);
      if (m.version === 1) {
        const meta = db.prepare('INSERT INTO baton_meta (key, value) VALUES (?, ?)');
        meta.run('kind', 'baton');
        meta.run('created_at', at);
      }
    }
  });
}
