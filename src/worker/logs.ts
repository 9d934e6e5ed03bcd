import { join } from 'node:path';
import { attemptLogName } from '../core/attempt-logs.js';

/** Where an attempt's output is written. */
export function attemptLogPath(logDir: string, taskId: number, attempt: number): string {
  return join(logDir, attemptLogName(taskId, attempt));
}
