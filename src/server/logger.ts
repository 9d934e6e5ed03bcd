import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { LogFile } from './log-file.js';
import type { LogHealth } from './routes-system.js';

export interface LoggerOptions {
  /** Folder of `baton.log` (the store's `.baton/`). */
  dir: string;
  level?: string | undefined;
  /** Human-readable console lines (default: when stdout is a terminal). */
  pretty?: boolean | undefined;
}

export interface ServerLogger {
  logger: Logger;
  /** Whether `baton.log` takes writes (see `LogFile`). */
  health(): LogHealth;
}

/** Structured logs: JSON lines to `<dir>/baton.log`, and to the console (pretty on a terminal). */
export async function createLogger(options: LoggerOptions): Promise<ServerLogger> {
  const level = options.level ?? process.env.BATON_LOG_LEVEL ?? 'info';
  // Logs name tasks, workers and errors: readable by the server's owner only.
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = new LogFile(join(options.dir, 'baton.log'));
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const consoleStream = pretty
    ? (await import('pino-pretty')).default({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
    : pino.destination({ dest: 1, sync: false });
  const logger = pino(
    { level, base: { pid: process.pid }, redact: ['req.headers.authorization', 'headers.authorization'] },
    pino.multistream([
      { level: level as pino.Level, stream: file },
      { level: level as pino.Level, stream: consoleStream },
    ]),
  );
  return { logger, health: () => file.health() };
}
