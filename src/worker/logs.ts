import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Output of every attempt is kept in `.baton/logs/<task>-<attempt>.log`. */
export function attemptLogPath(logDir: string, taskId: number, attempt: number): string {
  return join(logDir, `${taskId}-${attempt}.log`);
}

export interface AttemptLog {
  attempt: number;
  path: string;
}

/** The kept logs of a task, oldest attempt first. */
export function attemptLogs(logDir: string, taskId: number): AttemptLog[] {
  if (!existsSync(logDir)) return [];
  const pattern = new RegExp(`^${taskId}-(\\d+)\\.log$`);
  const logs: AttemptLog[] = [];
  for (const name of readdirSync(logDir)) {
    const m = pattern.exec(name);
    if (m) logs.push({ attempt: Number(m[1]), path: join(logDir, name) });
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
