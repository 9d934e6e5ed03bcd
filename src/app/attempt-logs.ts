import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attemptOfLogName } from '../core/attempt-logs.js';

export interface AttemptLog {
  attempt: number;
  path: string;
}

/** The kept logs of a task, oldest attempt first. */
export function attemptLogs(logDir: string, taskId: number): AttemptLog[] {
  if (!existsSync(logDir)) return [];
  const logs: AttemptLog[] = [];
  for (const name of readdirSync(logDir)) {
    const attempt = attemptOfLogName(name, taskId);
    if (attempt !== null) logs.push({ attempt, path: join(logDir, name) });
  }
  return logs.sort((a, b) => a.attempt - b.attempt);
}

/** The last `lines` lines of a file. */
export function tailOf(path: string, lines: number): string {
  const text = readFileSync(path, 'utf8');
  const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return all.slice(-lines).join('\n');
}

/** The newest attempt's log with its tail, for `baton show`. */
export function latestLog(logDir: string, taskId: number, lines = 10): { attempt: number; path: string; tail: string } | null {
  const last = attemptLogs(logDir, taskId).at(-1);
  if (!last) return null;
  return { ...last, tail: tailOf(last.path, lines) };
}
