/**
 * One rule for text on every door: no NUL characters and no unpaired UTF-16 surrogates, in any
 * field or anywhere inside a JSON payload. PostgreSQL cannot store NUL in text or jsonb, and an
 * unpaired surrogate has no UTF-8 form (it would be stored as U+FFFD): refusing both keeps what
 * SQLite and PostgreSQL store identical, and an export of one always imports into the other.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const NUL_MESSAGE = 'must not contain NUL characters (\\u0000)';
export const SURROGATE_MESSAGE = 'must be valid Unicode text (it has an unpaired surrogate)';

/** Why `text` breaks the rule, or null when it keeps it. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(text)) return SURROGATE_MESSAGE;
  return null;
}

/**
 * Text made to keep the rule: NULs dropped, unpaired surrogates replaced by U+FFFD. For output
 * Baton did not write (a command's stdout and stderr), which must still reach the store.
 */
export function sanitizeText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD');
}

export interface JsonProblem {
  /** Where in the value: keys and indexes from its root (the value itself for a nesting problem). */
  path: (string | number)[];
  message: string;
}

/**
 * The first place in a JSON value that breaks the text rule (in a key or a string) or nests deeper
 * than `maxDepth`, or null. Walks without recursion, so no nesting can overflow the stack.
 */
export function jsonProblem(value: unknown, maxDepth: number): JsonProblem | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: at, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof at === 'string') {
      const message = textProblem(at);
      if (message) return { path, message };
      continue;
    }
    if (at === null || typeof at !== 'object') continue;
    // The path of the whole value: one of 64 levels says nothing more.
    if (path.length >= maxDepth) return { path: [], message: `must nest at most ${maxDepth} levels deep` };
    if (Array.isArray(at)) {
      for (let i = at.length - 1; i >= 0; i--) stack.push({ value: at[i], path: [...path, i] });
      continue;
    }
    for (const [key, inner] of Object.entries(at)) {
      const message = textProblem(key);
      // The key itself is not echoed back: it is the bad text.
      if (message) return { path, message: `has a key that ${message}` };
      stack.push({ value: inner, path: [...path, key] });
    }
  }
  return null;
}
