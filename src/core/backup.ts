import type { ApiKey, Task, TaskEvent, Team, Worker } from './types.js';
import type { WorkflowRecord } from './workflow/record.js';
import type { WorkflowRun } from './workflow/run.js';
import type { TriggerState } from './workflow/triggers.js';

/**
 * Backups: what one holds, the portable file's lines, and the names and rotation of the files a
 * Baton writes itself. Pure: the files are read and written in `app/backup-file.ts`.
 */

/** An API key as stored: the public record and the sha256 of its secret (never the secret). */
export interface StoredKey extends ApiKey {
  hash: string;
}

/**
 * Rows of a store in the shape every backend reads and writes (ids kept), one part of a backup.
 * A backup is a sequence of these in `BACKUP_PARTS` order; a store loads them in any grouping.
 */
export interface BackupParts {
  keys?: StoredKey[];
  workers?: Worker[];
  resources?: { name: string; capacity: number }[];
  teams?: Team[];
  workflows?: WorkflowRecord[];
  triggers?: TriggerState[];
  /** With their dependency edges and conditions. */
  tasks?: Task[];
  events?: TaskEvent[];
  runs?: WorkflowRun[];
}

export const BACKUP_PARTS = [
  'keys',
  'workers',
  'resources',
  'teams',
  'workflows',
  'triggers',
  'tasks',
  'events',
  'runs',
] as const;
export type BackupPart = (typeof BACKUP_PARTS)[number];

/** Rows per part, and the dependency edges the tasks carry. */
export type BackupCounts = Record<BackupPart | 'dependencies', number>;

export function emptyCounts(): BackupCounts {
  return {
    keys: 0,
    workers: 0,
    resources: 0,
    teams: 0,
    workflows: 0,
    triggers: 0,
    tasks: 0,
    dependencies: 0,
    events: 0,
    runs: 0,
  };
}

/** Adds the rows of `parts` to `counts` (in place) and returns it. */
export function addCounts(counts: BackupCounts, parts: BackupParts): BackupCounts {
  for (const part of BACKUP_PARTS) counts[part] += parts[part]?.length ?? 0;
  for (const t of parts.tasks ?? []) counts.dependencies += t.dependsOn.length;
  return counts;
}

/** How two counts differ, one line per part (empty when they agree). */
export function countDifferences(expected: BackupCounts, found: BackupCounts): string[] {
  return (Object.keys(expected) as (keyof BackupCounts)[])
    .filter((k) => expected[k] !== found[k])
    .map((k) => `${k}: expected ${expected[k]}, found ${found[k]}`);
}

// ── the portable file ───────────────────────────────────────────────────────

/**
 * A portable backup is gzip-compressed NDJSON: this header, then one line per row
 * (`{"part":"tasks","row":{…}}`) in `BACKUP_PARTS` order, then `{"end":{"counts":…}}`. A file
 * without its end line was cut short. An archive of removed rows (retention) has the same lines
 * with `format: 'baton-archive'` and no counts in its header.
 */
export interface BackupHeader {
  format: 'baton-backup' | 'baton-archive';
  formatVersion: 1;
  /** The schema version of the store it was read from. */
  schemaVersion: number;
  store: 'sqlite' | 'postgres';
  /** The store's clock when the snapshot was taken, ISO-8601. */
  createdAt: string;
  /** Rows per part, counted in the snapshot the rows were read from. */
  counts?: BackupCounts;
}

export interface BackupRowLine {
  part: BackupPart;
  row: unknown;
}

export interface BackupEndLine {
  end: { counts: BackupCounts };
}

/** The two kinds of backup file: the SQLite database itself, or the portable NDJSON. */
export const BACKUP_FORMATS = ['sqlite', 'portable'] as const;
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

export const BACKUP_EXTENSIONS: Record<BackupFormat, string> = { sqlite: '.db', portable: '.ndjson.gz' };

/** The format a file name asks for by its ending, or null when it says nothing. */
export function formatOfName(name: string): BackupFormat | null {
  const lower = name.toLowerCase();
  if (/\.(db|sqlite3?)$/.test(lower)) return 'sqlite';
  if (/\.(ndjson|jsonl)(\.gz)?$/.test(lower) || lower.endsWith('.gz')) return 'portable';
  return null;
}

// ── names and rotation ──────────────────────────────────────────────────────

const NAMED = /^baton-backup-(\d{8}T\d{9}Z)\.(db|ndjson\.gz)$/;

/** `baton-backup-20300101T000000000Z.db`: sorts by time, and rotation knows it as Baton's own. */
export function backupName(atMs: number, format: BackupFormat): string {
  return `baton-backup-${stamp(atMs)}${BACKUP_EXTENSIONS[format]}`;
}

export function archiveName(atMs: number): string {
  return `baton-archive-${stamp(atMs)}.ndjson.gz`;
}

function stamp(atMs: number): string {
  const iso = new Date(atMs).toISOString(); // 2030-01-01T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
}

/** Whether a file name is one Baton gave a backup (only those are ever rotated away). */
export const isBackupName = (name: string): boolean => NAMED.test(name);

/**
 * The backup files to delete so that the `keep` newest of Baton's own remain; files of other
 * names are never touched.
 */
export function rotation(names: readonly string[], keep: number): string[] {
  const own = names.filter(isBackupName).sort((a, b) => stampOf(b).localeCompare(stampOf(a)));
  return own.slice(Math.max(0, keep));
}

const stampOf = (name: string): string => NAMED.exec(name)?.[1] ?? '';

/**
 * The period a scheduled duty runs in: periods are `everyMs` long from the epoch, so every
 * replica, whatever its start time, agrees on them (6 h: 00:00, 06:00, 12:00, 18:00 UTC).
 */
export const periodOf = (nowMs: number, everyMs: number): number => Math.floor(nowMs / everyMs);

/** When the period after `nowMs`'s begins. */
export const nextPeriodAt = (nowMs: number, everyMs: number): number => (periodOf(nowMs, everyMs) + 1) * everyMs;
