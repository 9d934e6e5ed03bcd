import type { BackupCounts, BackupParts } from '../core/backup.js';
import type { Task, TaskEvent, TaskStatus } from '../core/types.js';

/**
 * The store's side of backups, restores, retention and the duties scheduled servers share. Part
 * of the `Store` and `StoreTx` contracts (both extend these), kept apart for their size.
 */
export interface StoreMaintenance {
  /**
   * Reads the whole store in one consistent snapshot while others write (a read transaction on a
   * connection of its own), for as long as `fn` runs.
   */
  snapshot<T>(fn: (snapshot: StoreSnapshot) => Promise<T>): Promise<T>;
  /**
   * SQLite only: copies the database into a new file at `path` with the online backup API, in one
   * read snapshot (writers are not blocked, and the copy never restarts), and returns the rows
   * counted in that same snapshot.
   */
  copyTo?(path: string): Promise<BackupCounts>;

  /**
   * Claims scheduled duty `duty` (a backup, the clean-up) for period `period`: true for exactly one
   * caller per period, whichever process or replica asks first (compare and set).
   */
  claimDuty(duty: string, period: number, holder: string, atMs: number): Promise<boolean>;
  /** Records what a duty's latest run did (JSON); read back by `duties`. */
  recordDuty(duty: string, outcome: Record<string, unknown>): Promise<void>;
  /** Each duty's state: the last period claimed, by whom, and the outcome recorded. */
  duties(): Promise<DutyState[]>;

  /**
   * Finished tasks removable under retention, newest id first, below `belowId`: finished before
   * `before` (ms), no task depends on them, no subtask of them remains, and their parent (if any)
   * has finished.
   */
  retentionCandidates(query: { before: number; belowId: number; limit: number }): Promise<Task[]>;
  /** The events of these tasks, oldest first. */
  eventsOfTasks(ids: readonly number[]): Promise<TaskEvent[]>;
  /**
   * Events after `afterId`, oldest first, each with its task's status (null: an event of no task;
   * undefined: its task is gone).
   */
  eventsWithTaskStatus(
    afterId: number,
    limit: number,
  ): Promise<{ event: TaskEvent; taskStatus: TaskStatus | null | undefined }[]>;
}

export interface StoreSnapshot {
  readonly schemaVersion: number;
  /** The store's clock as the snapshot was taken, ms. */
  readonly at: number;
  counts(): Promise<BackupCounts>;
  /** Every row, in `BACKUP_PARTS` order, a page at a time. */
  parts(): AsyncIterable<BackupParts>;
}

export interface MaintenanceTx {
  /** Whether the store holds nothing a backup holds (tasks, events, workers, keys, workflows, runs, resources). */
  holdsNothing(): Promise<boolean>;
  /** Deletes every row a backup holds (a forced restore), leaving the schema and the duties. */
  clear(): Promise<void>;
  /** Loads rows of a backup, ids kept; links between rows are checked when the transaction ends. */
  loadParts(parts: BackupParts): Promise<void>;
  /** After the last `loadParts`: ids go on after the loaded ones, the planner learns the new sizes. */
  finishLoad(): Promise<void>;
  /**
   * Removes these tasks with their events and dependency edges, each only if it is unchanged since
   * read (same version) and still a retention candidate (see `retentionCandidates`); returns the
   * ids removed.
   */
  removeTasks(tasks: readonly Pick<Task, 'id' | 'version'>[], before: number): Promise<number[]>;
  /** Removes these events, except those whose task is open now; returns how many went. */
  removeEvents(ids: readonly number[]): Promise<number>;
}

export interface DutyState {
  duty: string;
  period: number;
  holder: string | null;
  claimedAt: number | null;
  outcome: Record<string, unknown> | null;
}
