import { z } from 'zod';
import { BACKUP_FORMATS } from '../backup.js';
import { text } from './fields.js';

/** Longest file path a backup or restore names. */
const PATH_CHARS = 4_096;

/**
 * A backup: where to write it (a path, or a bare name placed in the backup folder; by default a
 * dated name there) and its format (by default the file's ending, else the store's own: a SQLite
 * store's database file, a PostgreSQL store's portable NDJSON).
 */
export const backupSchema = z.strictObject({
  file: text(PATH_CHARS).optional(),
  format: z.enum(BACKUP_FORMATS).optional(),
});

/** A restore: the backup file (a path, or a bare name found in the backup folder). */
export const restoreSchema = z.strictObject({
  file: text(PATH_CHARS),
  /** Replace a store that holds data, after backing it up to a file the answer names. */
  force: z.boolean().optional(),
});

/** The retention clean-up; a dry run counts what it would remove and changes nothing. */
export const gcSchema = z.strictObject({
  dryRun: z.boolean().optional(),
});

/** A file name alone: what a caller over HTTP may name (the server's backup folder holds it). */
export const bareFileName = text(255).refine(
  (name) => !/[/\\]/.test(name) && name !== '.' && name !== '..',
  'must be a file name in the server’s backup folder, without a path',
);

export type BackupInput = z.input<typeof backupSchema>;
export type RestoreInput = z.input<typeof restoreSchema>;
export type GcInput = z.input<typeof gcSchema>;
