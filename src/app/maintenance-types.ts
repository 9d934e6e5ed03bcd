import type { BackupCounts, BackupFormat } from '../core/backup.js';
import type { BackupInput, GcInput, RestoreInput } from '../core/schemas.js';
import type { GithubSettings, InboundHookSettings } from './integration-types.js';

/** Backups, restores and retention: the `Baton` calls and their answers. */

export type { BackupInput, GcInput, RestoreInput };

/** The `backup:` and `retention:` sections of the config, with their defaults. */
export interface MaintenanceSettings {
  /** Inbound hooks by name (`hooks:`). */
  hooks: Readonly<Record<string, InboundHookSettings>>;
  /** GitHub issues (`github:`). */
  github: GithubSettings;
  backup: {
    /** How often `baton serve` backs up (ms), or null: no scheduled backups. */
    everyMs: number | null;
    /** Scheduled backups kept in `dir`; older ones of Baton's naming are deleted. */
    keep: number;
    dir: string;
  };
  retention: {
    eventsMs: number | null;
    completedTasksMs: number | null;
    /** Where removed rows are archived. */
    archiveDir: string;
    /** How often `baton serve` cleans up (ms). */
    everyMs: number;
  };
  webhooks: {
    /** How often `baton serve` looks for events to deliver and deliveries due (ms). */
    pollMs: number;
    /** How long one POST may take before it counts as failed. */
    timeoutMs: number;
    /** The first retry's delay; each further one doubles it (up to an hour). */
    backoffMs: number;
    /** Failed deliveries in a row that disable a hook. */
    maxFailures: number;
    /**
     * How old an event must be before it is delivered: on PostgreSQL an event id is taken before its
     * transaction commits, so a younger event may still have an older neighbour on its way.
     */
    settleMs: number;
  };
  alerts: {
    /** How often `baton serve` looks for conditions to alert on (ms). */
    everyMs: number;
    /** Ready tasks beyond which a `ready_over` alert is raised (null: none). */
    readyOver: number | null;
  };
}

export interface MaintenanceCalls {
  /**
   * Takes a consistent backup while work goes on, reads it back to verify it (rows counted against
   * the snapshot it was taken from) and says where it is, how large, and how long it took.
   */
  backup(input?: BackupInput): Promise<BackupResult>;
  /** The backups in the backup folder (newest first), the schedule, the last backup and failure. */
  listBackups(): Promise<BackupList>;
  /**
   * Loads a backup (of either store) into this store, keeping ids, history, versions and run
   * state. The store must hold nothing (`store_not_empty`) unless `force`: then what it holds is
   * backed up to a file first (named in the answer), and replaced.
   */
  restore(input: RestoreInput): Promise<RestoreResult>;
  /** Runs the retention clean-up now (archive, then remove, in small batches); a dry run only counts. */
  gc(input?: GcInput): Promise<GcReport>;
}

/** What a server does on its own, on its clock: the duties that fell due. */
export interface MaintenanceHost {
  /**
   * Takes the scheduled backup if its period began and no other server took it (one per period
   * across replicas; rotation after), and runs the retention clean-up when its period began. A
   * failed backup appends a `backup_failed` event.
   */
  maintain(): Promise<MaintenanceTick>;
}

export interface BackupResult {
  /** Where the backup is, on the machine of the store's owner (the server's, over HTTP). */
  file: string;
  format: BackupFormat;
  bytes: number;
  /** Time taken to write and verify it. */
  ms: number;
  /** The time of the snapshot it holds (the store's clock), ISO-8601. */
  at: string;
  store: 'sqlite' | 'postgres';
  schemaVersion: number;
  counts: BackupCounts;
  /** Read back and counted. */
  verified: true;
  /** Older backups rotated away after it (scheduled backups). */
  rotated: string[];
}

export interface BackupFile {
  name: string;
  file: string;
  format: BackupFormat;
  bytes: number;
  modifiedAt: string;
}

/** The last backup and the schedule, as `status` shows them. */
export interface BackupStatus {
  dir: string;
  schedule: { everySeconds: number; keep: number; nextAt: string } | null;
  last: Pick<BackupResult, 'file' | 'format' | 'bytes' | 'ms' | 'at'> | null;
  lastFailure: { at: string; code: string; message: string } | null;
}

export interface BackupList extends BackupStatus {
  files: BackupFile[];
}

export interface RestoreResult {
  file: string;
  format: BackupFormat;
  /** The store the backup was taken from (null for an export of `baton export`). */
  from: 'sqlite' | 'postgres' | null;
  schemaVersion: number;
  /** When the backup's snapshot was taken. */
  takenAt: string;
  counts: BackupCounts;
  ms: number;
  /** With `force`: the backup of what this store held before. */
  previous: BackupResult | null;
}

export interface GcReport {
  dryRun: boolean;
  /** Whether any retention is configured (else nothing is removed). */
  configured: boolean;
  cutoffs: { events: string | null; completedTasks: string | null };
  /** Finished tasks removed, and their events removed with them. */
  tasks: { removed: number; events: number };
  /** Events removed for their age (of finished or no tasks). */
  events: { removed: number };
  /** The archive the removed rows were written to, or null when nothing was removed. */
  archive: string | null;
  batches: number;
  ms: number;
}

/** The last clean-up, as `status` shows it. */
export interface RetentionStatus {
  configured: boolean;
  everySeconds: number;
  last: (Pick<GcReport, 'tasks' | 'events' | 'archive' | 'ms'> & { at: string }) | null;
}

export interface MaintenanceStatus {
  backup: BackupStatus;
  retention: RetentionStatus;
}

export interface MaintenanceTick {
  backup: BackupResult | null;
  gc: GcReport | null;
}
