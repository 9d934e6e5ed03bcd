import { evaluateExpression } from '../expression.js';
import { expressionsIn, isWholeExpression } from './expressions.js';
import { durationMs } from './run.js';
import type { StepDefinition } from './schema.js';

/** Filling in the `${{ }}` parts of a step's task from the run's params, item and upstream steps. */

export class RenderError extends Error {}

export type Vars = Record<string, unknown>;

export function evaluate(text: string, vars: Vars): unknown {
  const r = evaluateExpression(text, vars);
  if (!r.ok) throw new RenderError(`expression "${text}" failed: ${r.message}`);
  return r.value;
}

/** A condition (`if`): the whole field is the expression, with or without `${{ }}`. */
export function condition(text: string, vars: Vars): boolean {
  const found = expressionsIn(text, true)[0];
  if (!found) return true;
  return evaluate(found.text, vars) === true;
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Text with its expressions filled in. */
export function renderText(text: string, vars: Vars): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, inner: string) => asText(evaluate(inner.trim(), vars)));
}

/** A value: a string that is one whole expression becomes the expression's value. */
export function renderValue(value: unknown, vars: Vars): unknown {
  if (typeof value === 'string') {
    if (isWholeExpression(value)) return evaluate((expressionsIn(value, false)[0] as { text: string }).text, vars);
    return renderText(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars)]));
  }
  return value;
}

/** The task input (`createTask`) of one step task. */
export interface RenderedTask {
  title: string;
  description?: string;
  capabilities?: string[];
  tags: string[];
  priority?: 'critical' | 'high' | 'normal' | 'low';
  command?: string;
  input?: Record<string, unknown>;
  timeoutSeconds?: number;
  maxRetries?: number;
  retryPolicy?: { policy: 'fixed'; baseSeconds: number; maxSeconds: number; jitter: number };
}

export function renderTask(step: StepDefinition, vars: Vars, tags: string[]): RenderedTask {
  const spec = step.task;
  if (!spec) throw new RenderError(`step ${step.id} has no task`);
  const out: RenderedTask = {
    title: renderText(spec.title, vars),
    tags: [...(spec.tags ?? []).map((t) => renderText(t, vars)), ...tags],
  };
  if (spec.description !== undefined) out.description = renderText(spec.description, vars);
  if (spec.capabilities) out.capabilities = spec.capabilities.map((c) => renderText(c, vars));
  if (spec.priority) out.priority = spec.priority;
  if (spec.command !== undefined) out.command = renderText(spec.command, vars);
  if (spec.input) out.input = renderValue(spec.input, vars) as Record<string, unknown>;
  if (spec.timeout) out.timeoutSeconds = Math.max(1, Math.ceil(durationMs(spec.timeout) / 1000));
  if (spec.retry) {
    out.maxRetries = spec.retry.max;
    if (spec.retry.delay) {
      const s = durationMs(spec.retry.delay) / 1000;
      out.retryPolicy = { policy: 'fixed', baseSeconds: s, maxSeconds: s, jitter: 0 };
    }
  }
  return out;
}
