import type { BackupInput, BackupList, BackupResult, GcInput, GcReport, RestoreInput, RestoreResult } from '../app/baton.js';
import { backupSchema, gcSchema, parseWith, restoreSchema } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/**
 * RemoteBaton's backups and retention. Files are the server's: a backup is written to, and a
 * restore read from, the server's backup folder, named by a file name alone. None of these is
 * repeated after it may have reached the server: each writes files or replaces the store.
 */

export async function backup(http: HttpClient, raw: BackupInput = {}): Promise<BackupResult> {
  return http.call('POST', '/backups', { body: parseWith(backupSchema, raw) });
}

export async function listBackups(http: HttpClient): Promise<BackupList> {
  return http.call('GET', '/backups');
}

export async function restore(http: HttpClient, raw: RestoreInput): Promise<RestoreResult> {
  return http.call('POST', '/restore', { body: parseWith(restoreSchema, raw) });
}

export async function gc(http: HttpClient, raw: GcInput = {}): Promise<GcReport> {
  return http.call('POST', '/gc', { body: parseWith(gcSchema, raw) });
}
