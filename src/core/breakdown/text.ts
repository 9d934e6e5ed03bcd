/**
 * Word matching for detection and complexity: forgiving enough that people's wording works
 * (plurals, stems, `end-to-end` vs `end to end`), strict enough that `ui` does not match `build`.
 */

/** Lower-case words; `c++`, `c#`, `node.js` and `/v2/users` keep their inner characters as words. */
export function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      // Hyphens and slashes join compound terms people write several ways (end-to-end, CI/CD).
      .replace(/[-_/]/g, ' ')
      .match(/[a-z0-9][a-z0-9+#.']*/g)
      ?.map((w) => w.replace(/[.']+$/g, '').replace(/'s$/, ''))
      .filter((w) => w.length > 0) ?? []
  );
}

/** One keyword: `word` matches the token or its plural, `stem*` matches by prefix. */
function wordMatches(keyword: string, token: string): boolean {
  if (keyword.endsWith('*')) return token.startsWith(keyword.slice(0, -1));
  return (
    token === keyword ||
    token === `${keyword}s` ||
    token === `${keyword}es` ||
    (keyword.endsWith('y') && token === `${keyword.slice(0, -1)}ies`)
  );
}

/** A keyword of one or more words, compiled once. */
export interface Matcher {
  keyword: string;
  words: string[];
}

export function compile(keyword: string): Matcher {
  return { keyword, words: tokenizeKeyword(keyword) };
}

function tokenizeKeyword(keyword: string): string[] {
  // Keep the trailing `*` that tokenize() would drop.
  return keyword
    .toLowerCase()
    .replace(/[-_/]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/** Whether the keyword (a word or a phrase) occurs in the token list. */
export function occurs(matcher: Matcher, tokens: readonly string[]): boolean {
  const [first, ...rest] = matcher.words;
  if (first === undefined) return false;
  for (let i = 0; i + rest.length < tokens.length; i++) {
    if (!wordMatches(first, tokens[i] as string)) continue;
    if (rest.every((w, j) => wordMatches(w, tokens[i + 1 + j] as string))) return true;
  }
  return false;
}

/** Number of occurrences of a single word (for counting `and`). */
export function count(word: string, tokens: readonly string[]): number {
  return tokens.filter((t) => t === word).length;
}
