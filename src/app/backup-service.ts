import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type BackupCounts,
  type BackupFormat,
  backupName,
  countDifferences,
  formatOfName,
  isBackupName,
  nextPeriodAt,
  rotation,
} from '../core/backup.js';
import { BatonError, invalid, isBatonError } from '../core/errors.js';
import { backupSchema, parseWith } from '../core/schemas.js';
import { inspectCopy } from '../store/sqlite/backup.js';
import { countPortable, syncFile, writePortable } from './backup-file.js';
import type { AppContext } from './context.js';
import type { BackupFile, BackupInput, BackupList, BackupResult, BackupStatus } from './maintenance-types.js';

/** `baton backup`: a consistent online backup, verified, under its name only once complete. */

export const BACKUP_DUTY = 'backup';

export async function backup(ctx: AppContext, raw: BackupInput = {}): Promise<BackupResult> {
  const input = parseWith(backupSchema, raw);
  const format = input.format ?? (input.file ? formatOfName(input.file) : null) ?? defaultFormat(ctx);
  if (format === 'sqlite' && !ctx.store.copyTo) {
    throw invalid('format', 'only a SQLite store is backed up as a SQLite file; a PostgreSQL store uses the portable format');
  }
  const dir = ctx.maintenance.backup.dir;
  const file = input.file ? resolve(dir, input.file) : join(dir, backupName(ctx.clock.now(), format));
  if (existsSync(file)) throw new BatonError('file_exists', `${file} exists; a backup never overwrites a file`, { file });
  try {
    return await write(ctx, file, format);
  } catch (err) {
    await recordFailure(ctx, err);
    throw isBatonError(err) ? err : new BatonError('backup_failed', `backup to ${file} failed: ${(err as Error).message}`);
  }
}

const defaultFormat = (ctx: AppContext): BackupFormat => (ctx.store.copyTo ? 'sqlite' : 'portable');

/** Written as `FILE.partial`, read back, flushed, then renamed: a file under the name is whole and verified. */
async function write(ctx: AppContext, file: string, format: BackupFormat): Promise<BackupResult> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial`;
  const started = performance.now();
  try {
    const taken = format === 'sqlite' ? await copySqlite(ctx, partial) : await copyPortable(ctx, partial);
    await syncFile(partial);
    await rename(partial, file);
    const result: BackupResult = {
      file,
      format,
      bytes: (await stat(file)).size,
      ms: Math.round(performance.now() - started),
      at: new Date(taken.at).toISOString(),
      store: ctx.store.kind,
      schemaVersion: taken.schemaVersion,
      counts: taken.counts,
      verified: true,
      rotated: [],
    };
    await recordSuccess(ctx, result);
    return result;
  } finally {
    await rm(partial, { force: true });
  }
}

interface Taken {
  at: number;
  schemaVersion: number;
  counts: BackupCounts;
}

async function copySqlite(ctx: AppContext, path: string): Promise<Taken> {
  const at = await ctx.store.now();
  const counts = await (ctx.store.copyTo as (p: string) => Promise<BackupCounts>)(path);
  // It holds every task's input and the hashes of the API keys, as the store does: its owner's only.
  await chmod(path, 0o600);
  const copy = inspectCopy(path, new Date(at).toISOString());
  verify(path, counts, copy.counts);
  return { at, schemaVersion: copy.schemaVersion, counts };
}

async function copyPortable(ctx: AppContext, path: string): Promise<Taken> {
  const taken = await ctx.store.snapshot(async (snapshot) => ({
    at: snapshot.at,
    schemaVersion: snapshot.schemaVersion,
    counts: await writePortable(path, snapshot, ctx.store.kind),
  }));
  verify(path, taken.counts, (await countPortable(path)).counts);
  return taken;
}

function verify(path: string, expected: BackupCounts, found: BackupCounts): void {
  const differences = countDifferences(expected, found);
  if (differences.length > 0) {
    throw new BatonError('backup_failed', `${path} does not read back as written: ${differences.join('; ')}`);
  }
}

// ── the record of backups (the `backup` duty's outcome) ─────────────────────

interface BackupOutcome {
  last?: BackupStatus['last'];
  lastFailure?: BackupStatus['lastFailure'];
}

async function outcomeOf(ctx: AppContext): Promise<BackupOutcome> {
  const duty = (await ctx.store.duties()).find((d) => d.duty === BACKUP_DUTY);
  return (duty?.outcome as BackupOutcome | null) ?? {};
}

async function recordSuccess(ctx: AppContext, r: BackupResult): Promise<void> {
  const last = { file: r.file, format: r.format, bytes: r.bytes, ms: r.ms, at: r.at };
  await ctx.store.recordDuty(BACKUP_DUTY, { ...(await outcomeOf(ctx)), last });
}

/** A failed backup is remembered for status and appended to the event log (`backup_failed`), for alerts. */
export async function recordFailure(ctx: AppContext, err: unknown): Promise<void> {
  const at = new Date(ctx.clock.now()).toISOString();
  const error = isBatonError(err) ? err : new BatonError('backup_failed', (err as Error)?.message ?? String(err));
  const lastFailure = { at, code: error.code, message: error.message };
  await ctx.store.recordDuty(BACKUP_DUTY, { ...(await outcomeOf(ctx)), lastFailure }).catch(() => {});
  await ctx.store
    .transaction((tx) =>
      tx.appendEvent({
        taskId: null,
        workerId: null,
        actor: ctx.actor,
        type: 'backup_failed',
        at,
        changes: {},
        data: { error: { code: error.code, message: error.message } },
      }),
    )
    .catch(() => {});
}

export async function backupStatus(ctx: AppContext): Promise<BackupStatus> {
  const settings = ctx.maintenance.backup;
  const outcome = await outcomeOf(ctx);
  const every = settings.everyMs;
  return {
    dir: settings.dir,
    schedule:
      every === null
        ? null
        : {
            everySeconds: every / 1000,
            keep: settings.keep,
            nextAt: new Date(nextPeriodAt(ctx.clock.now(), every)).toISOString(),
          },
    last: outcome.last ?? null,
    lastFailure: outcome.lastFailure ?? null,
  };
}

export async function listBackups(ctx: AppContext): Promise<BackupList> {
  const dir = ctx.maintenance.backup.dir;
  const names = existsSync(dir) ? await readdir(dir) : [];
  const files: BackupFile[] = [];
  for (const name of names) {
    const format = formatOfName(name);
    if (!format || name.endsWith('.partial')) continue;
    const info = await stat(join(dir, name)).catch(() => null);
    if (info?.isFile())
      files.push({ name, file: join(dir, name), format, bytes: info.size, modifiedAt: info.mtime.toISOString() });
  }
  files.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt) || b.name.localeCompare(a.name));
  return { ...(await backupStatus(ctx)), files };
}

/** Deletes Baton's own backups beyond the `keep` newest in the folder; returns the names deleted. */
export async function rotate(ctx: AppContext): Promise<string[]> {
  const { dir, keep } = ctx.maintenance.backup;
  const old = rotation((await readdir(dir)).filter(isBackupName), keep);
  for (const name of old) await unlink(join(dir, name)).catch(() => {});
  return old.map((name) => basename(name));
}
