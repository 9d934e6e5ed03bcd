/**
 * Variables that hold Baton's own credentials: the API key a worker acts with, the store URL (a
 * PostgreSQL one may carry its password), the password the PostgreSQL driver reads, the planner's
 * API key. A task's command is written by whoever may create tasks, and its output is kept in a log
 * others read, so it must not see them unless the operator says so by name.
 */
export const BATON_SECRETS: readonly string[] = Object.freeze(['BATON_TOKEN', 'BATON_DB', 'PGPASSWORD', 'BATON_PLANNER_API_KEY']);

/** Which of the worker's variables a command sees. Names may use `*` (`LC_*`, `*`). */
export interface EnvRules {
  /** A variable passes if it matches one of these; a secret only when named exactly. */
  allow: readonly string[];
  /** Removed even when allowed. */
  deny: readonly string[];
}

export const DEFAULT_ENV_RULES: EnvRules = Object.freeze({ allow: Object.freeze(['*']), deny: Object.freeze([]) });

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  const source = patterns.map((p) => p.split('*').map(literal).join('.*')).join('|');
  const re = new RegExp(`^(?:${source})$`);
  return (name) => re.test(name);
}

/**
 * The environment a command runs with: `env` filtered by `rules`, with `secrets` (default: Baton's
 * own) removed unless `rules.allow` names one exactly.
 */
export function commandEnv(
  env: NodeJS.ProcessEnv,
  rules: EnvRules = DEFAULT_ENV_RULES,
  secrets: readonly string[] = BATON_SECRETS,
): Record<string, string> {
  const allowed = matcher(rules.allow);
  const denied = matcher(rules.deny);
  const secret = new Set(secrets);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || denied(name)) continue;
    if (secret.has(name) ? rules.allow.includes(name) : allowed(name)) out[name] = value;
  }
  return out;
}
