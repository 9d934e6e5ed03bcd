import { invalid } from './errors.js';
import { LIMITS } from './limits.js';
import type { Complexity, Priority, TaskStatus } from './types.js';
import { PRIORITIES, TASK_STATUSES } from './types.js';

/**
 * Parsers for the values users type as text (CLI arguments, config durations): they turn text
 * into the numbers, lists and names the core schemas take. Where they check a size, it is one of
 * `LIMITS`, the values the core schemas enforce.
 */

export function parsePriority(raw: string, field = 'priority'): Priority {
  const p = raw.trim().toLowerCase();
  if ((PRIORITIES as readonly string[]).includes(p)) return p as Priority;
  throw invalid(field, `unknown priority "${raw}" (expected one of ${PRIORITIES.join(', ')})`);
}

export function parseStatus(raw: string, field = 'status'): TaskStatus {
  const s = raw.trim().toLowerCase();
  if ((TASK_STATUSES as readonly string[]).includes(s)) return s as TaskStatus;
  throw invalid(field, `unknown status "${raw}" (expected one of ${TASK_STATUSES.join(', ')})`);
}

export function parseTaskId(raw: string | number, field = 'id'): number {
  const text = String(raw).trim().replace(/^#/, '');
  if (!/^[0-9]+$/.test(text)) throw invalid(field, `"${raw}" is not a task id (a positive integer)`);
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw invalid(field, `"${raw}" is not a task id (a positive integer)`);
  return id;
}

export function parseIdList(raw: string, field = 'dependsOn'): number[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw invalid(field, 'expected one or more task ids');
  return [...new Set(parts.map((p) => parseTaskId(p, field)))];
}

export function parseProgress(raw: string | number, field = 'progress'): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/%$/, ''));
  if (String(raw).trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw invalid(field, `must be a number from 0 to 100 (got "${raw}")`);
  }
  return Math.round(n * 100) / 100;
}

export function parsePositiveInt(raw: string | number, field: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (String(raw).trim() === '' || !Number.isInteger(n) || n < 1 || n > max) {
    throw invalid(field, `must be a whole number from 1 to ${max} (got "${raw}")`);
  }
  return n;
}

export function parseNonNegativeInt(raw: string | number, field: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (String(raw).trim() === '' || !Number.isInteger(n) || n < 0 || n > max) {
    throw invalid(field, `must be a whole number from 0 to ${max} (got "${raw}")`);
  }
  return n;
}

/** A comma-separated list of names (capabilities, tags, statuses), without blanks or repeats. */
export function parseList(raw: string, field: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const item of items) {
    if (item.length > LIMITS.nameChars) {
      throw invalid(field, `"${item.slice(0, 20)}…" is longer than ${LIMITS.nameChars} characters`);
    }
  }
  return [...new Set(items)];
}

const DURATION_UNITS: Record<string, number> = { m: 1, min: 1, h: 60, d: 8 * 60, w: 40 * 60 };
const ESTIMATE_TEXT = /^(?:\d+(?:\.\d+)?\s*(?:min|m|h|d|w)\s*)+$/;
const ESTIMATE_PART = /(\d+(?:\.\d+)?)\s*(min|m|h|d|w)/g;

/**
 * Minutes of an estimate written as Baton prints them: `90m`, `6h`, `4h30m`, `1d4h`, `1.5h` (a
 * working day is 8 h, a week 40 h); or why the text is not one. A bare number is refused: `90`
 * may mean minutes or hours, and a wrong guess skews complexity and roll-ups by a factor of 60.
 */
export function readEstimate(raw: string): { minutes: number } | { problem: string } {
  const text = raw.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    return { problem: `"${raw}" has no unit: write ${text}m for minutes or ${text}h for hours (also d, w, or 4h30m)` };
  }
  if (!ESTIMATE_TEXT.test(text)) return { problem: `"${raw}" is not a duration (use e.g. 90m, 6h, 4h30m, 1d4h)` };
  let minutes = 0;
  for (const [, amount, unit] of text.matchAll(ESTIMATE_PART)) minutes += Number(amount) * (DURATION_UNITS[unit ?? 'm'] ?? 1);
  minutes = Math.round(minutes);
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > LIMITS.estimateMinutes) {
    return { problem: `must be from 1m to ${formatEstimate(LIMITS.estimateMinutes)} (got "${raw}")` };
  }
  return { minutes };
}

/** An estimate in minutes from text (`--estimate`); a number is taken as minutes already. */
export function parseEstimate(raw: string | number, field = 'estimate'): number {
  if (typeof raw === 'number') return raw;
  const read = readEstimate(raw);
  if ('problem' in read) throw invalid(field, read.problem);
  return read.minutes;
}

/** How Baton prints an estimate, in a form `readEstimate` takes back: `45m`, `6h`, `4h30m`. */
export function formatEstimate(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m}m`;
  const rest = m % 60;
  return rest === 0 ? `${(m - rest) / 60}h` : `${(m - rest) / 60}h${rest}m`;
}

/**
 * An input that may give its estimate as text (`estimate`, as the CLI takes it) or in minutes
 * (`estimateMinutes`), with the text turned into minutes. Both at once is refused.
 */
export function withEstimateMinutes<T extends { estimate?: string | undefined; estimateMinutes?: number | null | undefined }>(
  input: T,
): Omit<T, 'estimate'> {
  const { estimate, ...rest } = input;
  if (estimate === undefined) return rest;
  if (input.estimateMinutes !== undefined) throw invalid('estimate', 'give estimate or estimateMinutes, not both');
  return { ...rest, estimateMinutes: parseEstimate(estimate) };
}

/** Seconds such as `300`, `90s`, `5m`, `1h`. */
export function parseSeconds(raw: string | number, field: string): number {
  const text = String(raw).trim().toLowerCase();
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?$/.exec(text);
  if (!m) throw invalid(field, `"${raw}" is not a duration in seconds (use e.g. 30, 90s, 5m, 2h, 1d)`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] ?? 's'] ?? 1;
  const seconds = Number(m[1]) * factor;
  if (!(seconds > 0) || seconds > LIMITS.durationSeconds) {
    throw invalid(field, `must be between 1 ms and ${LIMITS.durationSeconds / 86_400} days (got "${raw}")`);
  }
  return seconds;
}

/** SPEC §2 thresholds: simple ≤ 4 h, medium ≤ 12 h, complex ≤ 24 h, epic beyond. */
export function complexityOfEstimate(minutes: number | null): Complexity {
  if (minutes === null) return 'simple';
  if (minutes <= 4 * 60) return 'simple';
  if (minutes <= 12 * 60) return 'medium';
  if (minutes <= 24 * 60) return 'complex';
  return 'epic';
}

export function parseJson(raw: string, field: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw invalid(field, `is not valid JSON (${(err as Error).message})`);
  }
}

/** A size in bytes as a person reads it (`812 B`, `3.4 MB`, `120 MB`). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
