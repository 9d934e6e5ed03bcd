import { evaluateExpression, parseExpression } from '../expression.js';

/**
 * The expressions of a definition: `${{ ... }}` inside any string, and the whole of an `if` or a
 * loop's `until` (there the `${{ }}` may be left out). Each is CEL (see core/expression.ts).
 */

export interface FoundExpression {
  /** The expression, without `${{ }}`. */
  text: string;
  /** Where `text` starts in the string value. */
  index: number;
}

const WRAPPED = /\$\{\{([\s\S]*?)\}\}/g;

/** The expressions of a string; `whole` when the field is an expression even without `${{ }}`. */
export function expressionsIn(value: string, whole: boolean): FoundExpression[] {
  const found: FoundExpression[] = [];
  for (const m of value.matchAll(WRAPPED)) {
    const inner = m[1] ?? '';
    const lead = inner.length - inner.trimStart().length;
    found.push({ text: inner.trim(), index: (m.index ?? 0) + 3 + lead });
  }
  if (found.length === 0 && whole && value.trim() !== '') {
    found.push({ text: value.trim(), index: value.length - value.trimStart().length });
  }
  return found;
}

/** Whether the whole string is one `${{ }}` expression (a value, not text with parts filled in). */
export function isWholeExpression(value: string): boolean {
  return /^\s*\$\{\{[\s\S]*\}\}\s*$/.test(value) && expressionsIn(value, false).length === 1;
}

export interface ExpressionRefs {
  steps: string[];
  params: string[];
  /** Whether it reads `item` or `index` (defined in a step with `foreach`). */
  item: boolean;
}

/** The names an expression reads, outside its string literals. */
export function referencesOf(text: string): ExpressionRefs {
  const code = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const names = (root: string) =>
    [...code.matchAll(new RegExp(`(?<![.\\w])${root}\\s*(?:\\.\\s*([A-Za-z_]\\w*)|\\[\\s*""\\s*\\])`, 'g'))]
      .map((m) => m[1])
      .filter((n): n is string => n !== undefined);
  return {
    steps: [...new Set(names('steps'))],
    params: [...new Set(names('params'))],
    item: /(?<![.\w])(item|index)\b/.test(code),
  };
}

/** Why the expression cannot be read (offset from its start), or null. */
export function expressionProblem(text: string): { message: string; offset: number } | null {
  if (text === '') return { message: 'empty expression', offset: 0 };
  const parsed = parseExpression(text);
  return parsed.ok ? null : { message: parsed.message, offset: parsed.offset };
}

/** The value of an expression that reads no variable (a literal), or undefined. */
export function constantValue(text: string): unknown {
  const r = evaluateExpression(text, {});
  return r.ok ? r.value : undefined;
}

/** Where `found` starts in the scalar's source text (quotes included), as near as it can be told. */
export function sourceIndex(raw: string, value: string, found: FoundExpression): number {
  if (raw === value) return found.index;
  const before = value.slice(0, found.index);
  const wrappers = (before.match(/\$\{\{/g) ?? []).length;
  if (wrappers > 0) {
    let at = -1;
    for (let i = 0; i < wrappers; i++) at = raw.indexOf('${{', at + 1);
    if (at >= 0) {
      const after = raw.slice(at + 3);
      return at + 3 + (after.length - after.trimStart().length);
    }
  }
  const direct = raw.indexOf(found.text);
  return direct >= 0 ? direct : 0;
}
