import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { attemptLogName } from '../core/attempt-logs.js';
import { BatonError, invalid, taskNotFound } from '../core/errors.js';
import { assertLease } from '../core/lifecycle.js';
import { LIMITS } from '../core/limits.js';
import { attemptLogSchema, parseWith } from '../core/schemas.js';
import { attemptLogs, tailOf } from './attempt-logs.js';
import type { AttemptLogAppended, AttemptLogInput, AttemptLogQuery, AttemptLogText } from './baton.js';
import type { AppContext } from './context.js';

/** The output of attempts, kept in `<task>-<attempt>.log` files of the store's `logs/` folder. */

/**
 * Appends a piece of output to the log of the attempt the worker runs: only under the lease of
 * that attempt, and only up to `LIMITS.attemptLogBytes` per attempt (refused beyond, unwritten).
 */
export async function appendAttemptLog(ctx: AppContext, id: number, raw: AttemptLogInput): Promise<AttemptLogAppended> {
  const input = parseWith(attemptLogSchema, raw);
  const task = await ctx.store.getTask(id);
  if (!task) throw taskNotFound(id);
  assertLease(task, 'log', { workerId: input.workerId, token: input.token, now: await ctx.store.now() });
  if (input.attempt !== task.attempts) {
    throw invalid('attempt', `task ${id} runs attempt ${task.attempts} under this lease, not ${input.attempt}`);
  }
  const dir = logDirOf(ctx, id);
  const path = join(dir, attemptLogName(id, input.attempt));
  const kept = existsSync(path) ? statSync(path).size : 0;
  const bytes = kept + Buffer.byteLength(input.text, 'utf8');
  if (bytes > LIMITS.attemptLogBytes) {
    throw new BatonError(
      'payload_too_large',
      `task ${id} attempt ${input.attempt}: the log would exceed ${LIMITS.attemptLogBytes} bytes (${kept} kept)`,
      { id, field: 'text', limit: LIMITS.attemptLogBytes },
    );
  }
  // What a command prints may be secret: the log is its owner's alone (the API has its own rule).
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  appendFileSync(path, input.text, { mode: 0o600 });
  return { taskId: id, attempt: input.attempt, bytes };
}

/** The last `tail` lines (default 100) of an attempt's log: the latest attempt unless one is named. */
export async function attemptLog(ctx: AppContext, id: number, query: AttemptLogQuery = {}): Promise<AttemptLogText> {
  if (!(await ctx.store.getTask(id))) throw taskNotFound(id);
  const logs = ctx.logDir ? attemptLogs(ctx.logDir, id) : [];
  const log = query.attempt !== undefined ? logs.find((l) => l.attempt === query.attempt) : logs.at(-1);
  if (!log) {
    const which = query.attempt !== undefined ? ` attempt ${query.attempt}` : '';
    throw new BatonError('log_not_found', `task ${id}${which}: no attempt log is kept`, { id });
  }
  return { taskId: id, attempt: log.attempt, path: log.path, text: tailOf(log.path, query.tail ?? 100) };
}

function logDirOf(ctx: AppContext, id: number): string {
  if (ctx.logDir) return ctx.logDir;
  throw new BatonError('log_not_found', `task ${id}: this Baton keeps no attempt logs (it was opened without a folder)`, { id });
}
