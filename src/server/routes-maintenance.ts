import { z } from 'zod';
import { BACKUP_FORMATS } from '../core/backup.js';
import { bareFileName, gcSchema, restoreSchema } from '../core/schemas.js';
import { type RouteSpec, route } from './route.js';

/**
 * Backups, restores and retention: admin only. The files are the server's, in its backup folder,
 * named by a file name alone (a path from a caller would let it write or read anywhere the server
 * can).
 */
export const maintenanceRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/backups',
    summary:
      'Take a consistent backup now (SQLite: the database file; PostgreSQL: portable NDJSON), verified; written to the server’s backup folder',
    tag: 'maintenance',
    access: 'admin',
    status: 201,
    body: z.strictObject({ file: bareFileName.optional(), format: z.enum(BACKUP_FORMATS).optional() }),
    handle: ({ baton, body }) => baton.backup(body),
  }),
  route({
    method: 'GET',
    path: '/backups',
    summary: 'The backups in the server’s backup folder (newest first), the schedule, the last backup and failure',
    tag: 'maintenance',
    access: 'admin',
    handle: ({ baton }) => baton.listBackups(),
  }),
  route({
    method: 'POST',
    path: '/restore',
    summary: 'Load a backup from the server’s backup folder into its store: an empty one, or any with force (backed up first)',
    tag: 'maintenance',
    access: 'admin',
    heavy: true,
    body: restoreSchema.extend({ file: bareFileName }),
    handle: ({ baton, body }) => baton.restore(body),
  }),
  route({
    method: 'POST',
    path: '/gc',
    summary: 'Run the retention clean-up now (archive, then remove old events and finished tasks); dryRun only counts',
    tag: 'maintenance',
    access: 'admin',
    heavy: true,
    body: gcSchema,
    handle: ({ baton, body }) => baton.gc(body),
  }),
];
