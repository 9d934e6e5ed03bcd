import { realpathSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { BatonError } from '../../core/errors.js';

/** How long a writer waits for another process's transaction before giving up, in ms. */
export const BUSY_TIMEOUT_MS = 30_000;

/** `BEGIN IMMEDIATE` takes the write lock up front, so a transaction never fails half-way on a lock. */
export function immediate<T>(db: Database.Database, fn: () => T): T {
  beginImmediate(db);
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

export function beginImmediate(db: Database.Database): void {
  // busy_timeout already waits up to BUSY_TIMEOUT_MS inside SQLite; retry a few rounds beyond that
  // before reporting the store as busy, so a long burst from other processes is ridden out.
  for (let round = 0; ; round++) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || round >= 3) {
        if (code.startsWith('SQLITE_BUSY'))
          throw new BatonError('store_busy', 'the store stayed locked by other writers; try again');
        throw err;
      }
    }
  }
}

/**
 * Write transactions of one file run one after another within a process, across every handle
 * opened on it: a transaction holds SQLite's write lock across awaits, and a second handle waiting
 * synchronously on that lock would block the event loop the first one needs to finish.
 * Other processes are kept apart by SQLite's own lock (`BEGIN IMMEDIATE` + `busy_timeout`).
 */
export interface WriterQueue {
  tail: Promise<unknown>;
}
const writers = new Map<string, WriterQueue>();

export function writerQueue(path: string): WriterQueue {
  const key = path === ':memory:' ? `:memory:${writers.size}:${Math.random()}` : realpathSync(path);
  let queue = writers.get(key);
  if (!queue) {
    queue = { tail: Promise.resolve() };
    writers.set(key, queue);
  }
  return queue;
}
