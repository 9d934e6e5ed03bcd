import { evaluate as celEvaluate, parse as celParse } from '@marcbachmann/cel-js';

/**
 * Expressions in conditions and definitions: the Common Expression Language (CEL), the sandboxed,
 * side-effect-free language of Kubernetes and Google's policy engines, through a small library
 * with no dependencies and no `eval`. `steps.test.status == 'completed' && steps.test.result.passed`
 * reads as it would in a workflow file of GitHub Actions; `has(result.x)` tests a field.
 */

/** Where and why an expression cannot be read: `offset` counts characters from its start. */
export interface ExpressionProblem {
  message: string;
  offset: number;
}

export type ParsedExpression = { ok: true } | ({ ok: false } & ExpressionProblem);

/** Reads an expression without evaluating it. */
export function parseExpression(text: string): ParsedExpression {
  try {
    celParse(text);
    return { ok: true };
  } catch (err) {
    return { ok: false, ...problemOf(err) };
  }
}

/** The result of evaluating an expression, or why it could not be evaluated. */
export type Evaluation = { ok: true; value: unknown } | ({ ok: false } & ExpressionProblem);

/**
 * Evaluates an expression over `vars` (plain JSON values). Whole numbers become CEL integers, so
 * `result.count + 1 == 3` works as a reader expects; the answer comes back as JSON values.
 */
export function evaluateExpression(text: string, vars: Record<string, unknown>): Evaluation {
  try {
    return { ok: true, value: fromCel(celEvaluate(text, toCel(vars) as Record<string, unknown>)) };
  } catch (err) {
    return { ok: false, ...problemOf(err) };
  }
}

function problemOf(err: unknown): ExpressionProblem {
  const e = err as { message?: unknown; node?: { pos?: unknown } };
  // The library's message continues with a drawing of the position; the first line says why.
  const message = String(e.message ?? err).split('\n')[0] ?? 'cannot be read';
  const offset = typeof e.node?.pos === 'number' ? e.node.pos : 0;
  return { message, offset };
}

function toCel(value: unknown): unknown {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCel(v)]));
  }
  return value;
}
