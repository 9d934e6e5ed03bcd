import { BatonError } from '../errors.js';
import { findAnyCycle } from '../graph.js';
import { LIMITS } from '../limits.js';
import { BUILT_IN_PATTERNS, GENERIC } from './patterns.js';
import type { Pattern } from './types.js';

/**
 * Patterns by name. The default registry starts with the built-ins; `registerPattern()` adds or
 * replaces one for the whole process (a library user's own kinds of work), and a store's
 * `.baton/patterns.yaml` is layered on top per store with `withPatterns()`.
 */
export class PatternRegistry {
  private readonly byName = new Map<string, Pattern>();

  constructor(patterns: Iterable<Pattern> = BUILT_IN_PATTERNS) {
    for (const p of patterns) this.byName.set(p.name, p);
  }

  /** Adds a pattern, or replaces the one with the same name. */
  register(pattern: Pattern): void {
    assertValidPattern(pattern);
    this.byName.set(pattern.name, pattern);
  }

  get(name: string): Pattern | undefined {
    return this.byName.get(name);
  }

  /** The fallback: a registered `generic` (possibly overridden), else the built-in one. */
  generic(): Pattern {
    return this.byName.get('generic') ?? GENERIC;
  }

  /** Patterns that detection may choose, in registration order (ties go to the earlier one). */
  candidates(): Pattern[] {
    return [...this.byName.values()].filter((p) => p.name !== 'generic');
  }

  all(): Pattern[] {
    return [...this.byName.values()];
  }

  /** A copy with `patterns` added or overriding; this registry is unchanged. */
  withPatterns(patterns: Iterable<Pattern>): PatternRegistry {
    const copy = new PatternRegistry(this.byName.values());
    for (const p of patterns) copy.register(p);
    return copy;
  }
}

export const defaultRegistry = new PatternRegistry();

/**
 * Adds a pattern to (or replaces one in) the patterns every breakdown in this process uses —
 * the programmatic counterpart of `.baton/patterns.yaml`.
 */
export function registerPattern(pattern: Pattern): void {
  defaultRegistry.register(pattern);
}

/** Problems with a pattern, each naming where (`steps.2.dependsOn`); empty when valid. */
export function patternProblems(pattern: Pattern): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!/^[a-z][a-z0-9_]{0,49}$/.test(pattern.name)) {
    add('name', 'must be 1–50 lower-case letters, digits or _ starting with a letter');
  }
  if (pattern.steps.length === 0) add('steps', 'must have at least one step');
  if (pattern.steps.length > 30) add('steps', 'must have at most 30 steps');
  const keys = new Set<string>();
  pattern.steps.forEach((step, i) => {
    if (keys.has(step.key)) add(`steps.${i}.key`, `"${step.key}" is used twice`);
    keys.add(step.key);
    if (step.title.trim().length === 0) add(`steps.${i}.title`, 'must not be empty');
    if (step.title.length > LIMITS.titleChars) add(`steps.${i}.title`, `must be at most ${LIMITS.titleChars} characters`);
    if (!(Number.isFinite(step.share) && step.share > 0)) add(`steps.${i}.share`, 'must be a positive number');
  });
  const index = new Map(pattern.steps.map((s, i) => [s.key, i]));
  const edges: [number, number][] = [];
  pattern.steps.forEach((step, i) => {
    for (const dep of step.dependsOn ?? []) {
      const j = index.get(dep);
      if (j === undefined) add(`steps.${i}.dependsOn`, `unknown step "${dep}"`);
      else if (j === i) add(`steps.${i}.dependsOn`, 'a step cannot depend on itself');
      else edges.push([i, j]);
    }
  });
  const cycle = findAnyCycle(edges);
  if (cycle) add('steps', `dependencies form a cycle ${cycle.map((i) => pattern.steps[i]?.key).join(' -> ')}`);
  return problems;
}

export function assertValidPattern(pattern: Pattern): void {
  const [first] = patternProblems(pattern);
  if (first) {
    throw new BatonError('invalid_argument', `pattern ${pattern.name}: ${first.path}: ${first.message}`, {
      field: first.path,
      pattern: pattern.name,
    });
  }
}
