import { Cron } from 'croner';
import type { ParamType } from './schema.js';

/** Params and triggers: the values a run starts from, and when one starts by itself. */

type Spec = { type?: unknown; required?: unknown; default?: unknown; pattern?: unknown; enum?: unknown };

export function hasType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
}

/** Why `pattern` is not a regular expression, or null. */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
    return null;
  } catch (err) {
    return `pattern is not a regular expression: ${(err as Error).message}`;
  }
}

/** Why `value` does not suit the param (`what` names the value in the message), or null. */
export function valueProblem(spec: Spec, value: unknown, what: string): string | null {
  const type = spec.type as ParamType;
  // A value given as an expression is known only when a run starts.
  if (typeof value === 'string' && value.includes('${{')) return null;
  if (!hasType(value, type))
    return `${what} must be ${type === 'integer' || type === 'array' || type === 'object' ? 'an' : 'a'} ${type}, not ${JSON.stringify(value)}`;
  if (typeof spec.pattern === 'string' && typeof value === 'string' && patternProblem(spec.pattern) === null) {
    if (!new RegExp(spec.pattern, 'u').test(value))
      return `${what} ${JSON.stringify(value)} does not match the pattern ${spec.pattern}`;
  }
  if (Array.isArray(spec.enum) && !spec.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return `${what} ${JSON.stringify(value)} is not one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  }
  return null;
}

/** Why a cron expression cannot be scheduled, or null. */
export function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true }).stop();
    return null;
  } catch (err) {
    return `cron ${JSON.stringify(expression)} cannot be read: ${(err as Error).message}`;
  }
}

/** Why a time zone is not an IANA name (`Europe/Paris`, `UTC`), or null. */
export function timezoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return null;
  } catch {
    return `unknown time zone ${JSON.stringify(zone)} (use an IANA name such as Europe/Paris or UTC)`;
  }
}
