import type { TaskPatch } from '../../core/lifecycle.js';
import type { NewEvent, Task } from '../../core/types.js';
import type { TaskChangeRequest } from '../store.js';
import { notSent } from './connection.js';
import type { PostgresStore } from './postgres-store.js';
import { Reservation, type Reserved } from './reservation.js';
import { JSON_COLUMNS, patchToColumns, type Row, rowToTask } from './rows.js';

/** Rows per batch: bounds one statement's size and how long its locks are held. */
const MAX_BATCH = 256;
/** Batches that lose a deadlock race are run again, this many times. */
const ATTEMPTS = 10;

interface Pending {
  request: TaskChangeRequest;
  resolve: (task: Task | null) => void;
  reject: (err: unknown) => void;
}

type Outcome = { task: Task | null } | { error: unknown };
type Written = { outcomes: Outcome[]; written: Set<number> };

/**
 * `Store.changeTask` for PostgreSQL. Calls made while a batch is being written wait for it and
 * then go together: one transaction locks their rows (one statement, pipelined with BEGIN and the
 * dependents lookup), each call's `decide` runs on its locked row, and one statement writes every
 * row and its event (pipelined with COMMIT) — two round trips however many tasks a worker process
 * completes, renews or reports on at once. A lone call is sent at once, so batching costs no
 * latency when idle. Each row is still written under its own version guard: a refusal or a
 * missing task answers only its own call.
 */
export class TaskWrites {
  private readonly queue: Pending[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly store: PostgresStore) {}

  change(request: TaskChangeRequest): Promise<Task | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // Calls made in the same turn of the event loop (handlers finishing together) share a batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) await this.run(this.take());
    } finally {
      this.running = false;
    }
  }

  /** The next batch: oldest first, one call per task (a second one waits for the next batch). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const ids = new Set<number>();
    for (let i = 0; i < this.queue.length && batch.length < MAX_BATCH; ) {
      const p = this.queue[i] as Pending;
      if (ids.has(p.request.id)) {
        i++;
        continue;
      }
      ids.add(p.request.id);
      batch.push(p);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  /** Writes one batch, retrying as `PostgresStore.transaction` does; settles every call. */
  private async run(batch: Pending[]): Promise<void> {
    // Once COMMIT is on its way the outcome is unknown: writing again could apply it twice.
    const state = { committing: false };
    try {
      const { outcomes, written } = await this.store.availability.run(() => this.attempt(batch, state), {
        repeatable: (err) => !state.committing || notSent(err),
        races: ATTEMPTS,
      });
      settle(batch, outcomes, written);
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  private async attempt(batch: Pending[], state: { committing: boolean }): Promise<Written> {
    state.committing = false;
    const reservation = await Reservation.acquire(this.store.sql);
    const { conn } = reservation;
    try {
      const { now, tasks, depended } = await this.lock(conn, batch);
      const { outcomes, writes, events } = decideAll(batch, tasks, depended, now);
      if (writes.length === 0) {
        await conn.unsafe('COMMIT');
        reservation.release();
        return { outcomes, written: new Set() };
      }
      state.committing = true;
      // An error in the write aborts the transaction, and the COMMIT behind it then rolls back.
      const [rows] = await Promise.all([
        this.store.exec(conn, this.store.st.writeTasks, [
          JSON.stringify(writes),
          JSON.stringify(events),
          writes.map((w) => w.id),
        ]),
        conn.unsafe('COMMIT'),
      ]);
      reservation.release();
      return { outcomes, written: new Set(rows.map((r) => Number(r.task_id))) };
    } catch (err) {
      await reservation.abandon(err);
      throw err;
    }
  }

  /** BEGIN (with the clock), the rows locked, and which of them others depend on: one round trip. */
  private async lock(conn: Reserved, batch: Pending[]) {
    const ids = batch.map((p) => p.request.id);
    const { st } = this.store;
    // The dependents lookup is its own statement so that it sees edges committed by anyone who
    // held one of these rows until the lock was granted.
    const [begun, rows, deps] = await Promise.all([
      conn.unsafe(st.begin) as unknown as Promise<Row[][]>,
      this.store.exec(conn, st.tasksByIdsForUpdate, [ids]),
      this.store.exec(conn, st.dependedOn, [ids]),
    ]);
    return {
      now: Number(begun[1]?.[0]?.now_ms),
      tasks: new Map(rows.map((r) => [Number(r.id), rowToTask(r)])),
      depended: new Set(deps.map((r) => Number(r.id))),
    };
  }
}

function decideAll(batch: Pending[], tasks: Map<number, Task>, depended: Set<number>, now: number) {
  const outcomes: Outcome[] = [];
  const writes: { id: number; version: number; set: Record<string, unknown> }[] = [];
  const events: Record<string, unknown>[] = [];
  const updatedAt = new Date(now).toISOString();
  for (const { request } of batch) {
    const task = tasks.get(request.id);
    try {
      const decision = request.decide(task, { now, hasDependents: depended.has(request.id) });
      if (!decision || !task) {
        outcomes.push({ task: null });
        continue;
      }
      writes.push({ id: task.id, version: task.version, set: patchRecord({ ...decision.patch, updatedAt }) });
      events.push(eventRecord(decision.event));
      outcomes.push({ task: { ...task, ...decision.patch, updatedAt, version: task.version + 1 } });
    } catch (error) {
      outcomes.push({ error });
    }
  }
  return { outcomes, writes, events };
}

function settle(batch: Pending[], outcomes: Outcome[], written: Set<number>): void {
  batch.forEach((p, i) => {
    const outcome = outcomes[i] as Outcome;
    if ('error' in outcome) p.reject(outcome.error);
    else p.resolve(outcome.task && written.has(outcome.task.id) ? outcome.task : null);
  });
}

/** The columns of a patch as JSON values (JSON columns as values, not as text). */
function patchRecord(patch: TaskPatch): Record<string, unknown> {
  const cols = patchToColumns(patch);
  for (const key of Object.keys(cols)) {
    const text = cols[key];
    if (JSON_COLUMNS.has(key)) cols[key] = typeof text === 'string' ? JSON.parse(text) : null;
  }
  return cols;
}

function eventRecord(e: NewEvent): Record<string, unknown> {
  return {
    task_id: e.taskId,
    worker_id: e.workerId,
    actor: e.actor,
    type: e.type,
    at: Date.parse(e.at),
    changes: e.changes,
    data: e.data,
  };
}
