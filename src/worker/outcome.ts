import { clipTail, jsonBytes, LIMITS } from '../core/limits.js';
import { redactText } from '../core/redact.js';
import { sanitizeText } from '../core/text.js';
import type { AttemptOutcome } from './types.js';

/**
 * Text a store can keep. A command's output is arbitrary bytes: PostgreSQL refuses NUL in text and
 * JSON alike, and a lone surrogate (from a `::result` line's `"\ud800"`, or a JS handler) cannot be
 * encoded. The app refuses both (`core/text.ts`), which would leave the task executing until its
 * lease ran out, so the worker cleans what it did not write before reporting it.
 */
export const storableText = sanitizeText;

/** A JSON value with every string in it, keys included, made storable. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  }
  // Numbers, booleans, null; anything else (a Date, a class instance) serialises on its own.
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The outcome as the store will take it and anyone may read it. Input beyond `LIMITS` is refused, not cut, so the worker
 * chooses what to keep: the end of a long error (where a failed command says why), and a failure
 * instead of a result too large to keep — never a report refused while the lease runs out.
 */
export function reportable(outcome: AttemptOutcome): AttemptOutcome {
  if (!outcome.ok) {
    // Anyone who may read the task reads its last error: a connection string a command printed
    // to stderr loses its password here.
    const error = redactText(storableText(outcome.error));
    return { ok: false, error: clipTail(error, LIMITS.errorChars) || 'failed without a message' };
  }
  if (outcome.result === undefined) return outcome;
  const result = storableJson(outcome.result);
  const bytes = jsonBytes(result);
  if (bytes === null) return { ok: false, error: 'the result is not a JSON value' };
  if (bytes > LIMITS.resultBytes) {
    return { ok: false, error: `the result is ${bytes} bytes as JSON; at most ${LIMITS.resultBytes} are kept` };
  }
  return { ok: true, result };
}
