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

/** The first and the longest pause between tries of a write lock another process holds, in µs. */
const FIRST_PAUSE_US = 50;
const MAX_PAUSE_US = 2_000;
const pauseCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Takes the write lock. Another process's transaction lasts a fraction of a millisecond, but
 * SQLite's own busy handler sleeps 1, 2, 5, 10… ms between tries: processes sharing one file
 * would spend most of their time asleep with the lock free. So the write connection has no busy
 * timeout (see sqlite-open.ts) and the lock is tried here, with pauses from 50 µs doubling to
 * 2 ms (jittered), for up to `BUSY_TIMEOUT_MS`. The pauses block, as SQLite's own would.
 */
export function beginImmediate(db: Database.Database): void {
  const deadline = performance.now() + BUSY_TIMEOUT_MS;
  for (let pause = FIRST_PAUSE_US; ; pause = Math.min(pause * 2, MAX_PAUSE_US)) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      if (!((err as { code?: string }).code ?? '').startsWith('SQLITE_BUSY')) throw err;
      if (performance.now() >= deadline)
        throw new BatonError('store_busy', 'the store stayed locked by other writers; try again');
      Atomics.wait(pauseCell, 0, 0, (pause * (0.5 + Math.random())) / 1000);
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
