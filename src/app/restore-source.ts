import { copyFile, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addCounts, type BackupCounts, type BackupFormat, type BackupParts, emptyCounts } from '../core/backup.js';
import { BatonError, isBatonError } from '../core/errors.js';
import { dumpSchema, parseWith } from '../core/schemas.js';
import { BACKUP_TAKEN_AT } from '../store/sqlite/backup.js';
import { LATEST_VERSION } from '../store/sqlite/migrations.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { openPortable } from './backup-file.js';
import { assertDumpIntegrity } from './transfer.js';

/**
 * What `restore` reads, whatever the file: a SQLite backup (the database file), a portable backup
 * (NDJSON, gzip or not), or an export of `baton export`. Recognised by their first bytes.
 */
export interface RestoreSource {
  format: BackupFormat;
  /** The kind of store the backup was taken from (unknown for an export). */
  from: 'sqlite' | 'postgres' | null;
  schemaVersion: number;
  takenAt: string;
  /** Rows per part, as the file says (checked again as it is read). */
  counts: BackupCounts;
  /** Every row, a page at a time; may be read again from the start (a transaction run again). */
  parts(): AsyncIterable<BackupParts>;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');

export async function withSource<T>(file: string, fn: (source: RestoreSource) => Promise<T>): Promise<T> {
  const head = await firstBytes(file);
  if (head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return withSqliteSource(file, fn);
  if (head[0] === 0x1f && head[1] === 0x8b) return fn(await portableSource(file, true));
  const text = head.toString('utf8').trimStart();
  if (text.startsWith('{'))
    return fn(text.includes('"baton-backup"') ? await portableSource(file, false) : await exportSource(file));
  throw notBackup(file, 'not a Baton backup or export');
}

const notBackup = (file: string, why: string) => new BatonError('invalid_backup', `${file}: ${why}`, { file });

async function firstBytes(file: string): Promise<Buffer> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw notBackup(file, err.code === 'ENOENT' ? 'no such file' : err.message);
  });
  try {
    const buffer = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buffer, 0, 64, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function newerThanKnown(file: string, version: number): void {
  if (version > LATEST_VERSION) {
    throw notBackup(file, `written by a newer Baton (schema version ${version}; this Baton knows up to ${LATEST_VERSION})`);
  }
}

async function portableSource(file: string, compressed: boolean): Promise<RestoreSource> {
  const portable = await openPortable(file, compressed);
  const { header } = portable;
  newerThanKnown(file, header.schemaVersion);
  if (!header.counts) throw notBackup(file, 'its header does not count its rows');
  return {
    format: 'portable',
    from: header.store,
    schemaVersion: header.schemaVersion,
    takenAt: header.createdAt,
    counts: header.counts,
    parts: () => portable.parts(),
  };
}

/** An export of `baton export` (one JSON document, read whole as `import` does). */
async function exportSource(file: string): Promise<RestoreSource> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw notBackup(file, 'not a Baton backup or export (not JSON)');
  }
  const dump = parseWith(dumpSchema, data, { code: 'invalid_backup', what: 'file' });
  assertDumpIntegrity(dump);
  newerThanKnown(file, dump.schemaVersion);
  const parts: BackupParts = { workers: dump.workers, resources: dump.resources ?? [], tasks: dump.tasks, events: dump.events };
  return {
    format: 'portable',
    from: null,
    schemaVersion: dump.schemaVersion,
    takenAt: dump.exportedAt,
    counts: addCounts(emptyCounts(), parts),
    parts: async function* () {
      yield parts;
    },
  };
}

/**
 * A SQLite backup is read as a store: a copy of it is opened (and so brought up to this Baton's
 * schema, never the file itself) and read in one snapshot.
 */
async function withSqliteSource<T>(file: string, fn: (source: RestoreSource) => Promise<T>): Promise<T> {
  const { schemaVersion, takenAt } = await peekSqlite(file);
  newerThanKnown(file, schemaVersion);
  const dir = await mkdtemp(join(tmpdir(), 'baton-restore-'));
  try {
    const copy = join(dir, 'backup.db');
    await copyFile(file, copy);
    const store = openSqliteStore(copy, { create: false });
    try {
      return await store.snapshot(async (snapshot) =>
        fn({
          format: 'sqlite',
          from: 'sqlite',
          schemaVersion,
          takenAt,
          counts: await snapshot.counts(),
          parts: () => snapshot.parts(),
        }),
      );
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function peekSqlite(file: string): Promise<{ schemaVersion: number; takenAt: string }> {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const meta = (key: string) =>
      db?.prepare('SELECT value FROM baton_meta WHERE key = ?').pluck().get(key) as string | undefined;
    if (meta('kind') !== 'baton') throw notBackup(file, 'a SQLite database, but not a Baton store');
    const schemaVersion = Number(db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get());
    return { schemaVersion, takenAt: meta(BACKUP_TAKEN_AT) ?? (await stat(file)).mtime.toISOString() };
  } catch (err) {
    if (isBatonError(err)) throw err;
    throw notBackup(file, `not a readable Baton store (${(err as Error).message})`);
  } finally {
    db?.close();
  }
}
