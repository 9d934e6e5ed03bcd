import { LIMITS } from './limits.js';

/**
 * How GitHub issues and Baton tasks correspond (pure rules; `app/github-service.ts` applies them):
 * a label `cap:NAME` is the capability NAME, every other label a tag; `depends on #N` or
 * `blocked by #N` in an issue's body makes its task depend on issue N's task.
 */

export const CAPABILITY_PREFIX = 'cap:';

/**
 * `OWNER/REPO`, as GitHub spells names (an owner of letters, digits and -; a repository never `.`
 * or `..`, which would climb out of its path); compared and stored lowercase.
 */
export const REPO_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/(?!\.\.?$)[\w.-]{1,100}$/;

export function tagsOfLabels(labels: readonly string[]): { tags: string[]; capabilities: string[] } {
  const capabilities = labels.filter((l) => l.startsWith(CAPABILITY_PREFIX)).map((l) => l.slice(CAPABILITY_PREFIX.length));
  const tags = labels.filter((l) => !l.startsWith(CAPABILITY_PREFIX));
  return { tags: tags.slice(0, LIMITS.tags), capabilities: capabilities.filter(Boolean).slice(0, LIMITS.capabilities) };
}

export function labelsOfTask(task: { tags: readonly string[]; capabilities: readonly string[] }): string[] {
  return [...task.tags, ...task.capabilities.map((c) => `${CAPABILITY_PREFIX}${c}`)];
}

export function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The issue numbers an issue's body says it waits for. */
export function dependencyRefs(body: string | null): number[] {
  const refs = new Set<number>();
  for (const m of (body ?? '').matchAll(/\b(?:depends on|blocked by)\s+#(\d{1,9})\b/gi)) refs.add(Number(m[1]));
  return [...refs];
}

/** A task's title and description from its issue, cut to Baton's limits. */
export function taskTextOf(repo: string, issue: { number: number; title: string; body: string | null }) {
  const title = issue.title.trim().slice(0, LIMITS.titleChars) || `${repo}#${issue.number}`;
  const source = `From GitHub issue ${repo}#${issue.number}.`;
  const description = `${source}\n\n${issue.body ?? ''}`.trim().slice(0, LIMITS.descriptionChars);
  return { title, description };
}
