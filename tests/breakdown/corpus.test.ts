import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectPattern } from '../../src/core/breakdown/detect.js';
import { PatternRegistry } from '../../src/core/breakdown/registry.js';
import { rulePlan } from '../../src/core/breakdown/rule-planner.js';
import type { PlannedSubtask } from '../../src/core/breakdown/types.js';
import { parseEstimate } from '../../src/core/values.js';

/**
 * The quality bar of issue 16: realistic tasks (corpus/cases.json) broken down by the rule planner
 * and compared with what a planner would write. Scores are printed so a change can be judged by them.
 */

/** Words a subtask title must all contain; `a|b` means either. */
type Words = string[];
interface Case {
  title: string;
  description?: string;
  estimate?: string;
  type?: string;
  kind: string;
  subtasks: Words[];
  exact?: boolean;
  order?: [Words, Words][];
}

const corpus = JSON.parse(readFileSync(new URL('./corpus/cases.json', import.meta.url), 'utf8')) as { cases: Case[] };
const registry = new PatternRegistry();
/** Without `exact`, a plan may hold this many subtasks beyond the expected ones. */
const EXTRA = 3;

const fits = (title: string, words: Words) =>
  words.every((w) =>
    w
      .toLowerCase()
      .split('|')
      .some((alt) => title.toLowerCase().includes(alt)),
  );

/** Each expected subtask matched to a distinct planned one (small lists: a backtracking search). */
function match(expected: Words[], titles: string[]): (number | undefined)[] | null {
  const used = new Set<number>();
  const chosen: (number | undefined)[] = [];
  const go = (i: number): boolean => {
    if (i === expected.length) return true;
    for (let j = 0; j < titles.length; j++) {
      if (used.has(j) || !fits(titles[j] as string, expected[i] as Words)) continue;
      used.add(j);
      chosen[i] = j;
      if (go(i + 1)) return true;
      used.delete(j);
    }
    return false;
  };
  return go(0) ? chosen : null;
}

function waitsFor(list: readonly PlannedSubtask[], from: number, to: number): boolean {
  const seen = new Set<number>();
  const stack = [...(list[from]?.dependsOn ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as number;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(list[n]?.dependsOn ?? []));
  }
  return false;
}

interface Result {
  title: string;
  kind: boolean;
  deliverables: boolean;
  orders: boolean[];
  longTitles: string[];
  pasted: string[];
  got: string;
}

/** Titles over 80 characters, and titles that paste in their parent's whole title (of 4+ words). */
function titleProblems(parent: string, list: readonly PlannedSubtask[], long: string[], pasted: string[]): void {
  const pastes = parent.trim().split(/\s+/).length >= 4;
  for (const s of list) {
    if (s.title.length > 80) long.push(s.title);
    if (pastes && s.title.toLowerCase().includes(parent.trim().toLowerCase())) pasted.push(`${parent} → ${s.title}`);
    titleProblems(s.title, s.subtasks, long, pasted);
  }
}

function judge(c: Case): Result {
  const subject = {
    title: c.title,
    description: c.description ?? null,
    type: c.type ?? null,
    estimateMinutes: c.estimate ? parseEstimate(c.estimate) : null,
  };
  const plan = rulePlan(subject, { registry });
  const titles = plan.subtasks.map((s) => s.title);
  const matched = match(c.subtasks, titles);
  const size = titles.length;
  const deliverables = matched !== null && (c.exact ? size === c.subtasks.length : size <= c.subtasks.length + EXTRA);
  // The subtask whose title leads with the words ("Deploy the web tier", not "Design … deploys").
  const at = (t: string, words: Words) =>
    Math.min(
      ...words[0]!
        .split('|')
        .map((w) => t.toLowerCase().indexOf(w.toLowerCase()))
        .filter((i) => i >= 0),
    );
  const find = (words: Words) =>
    titles
      .map((t, i) => ({ i, pos: fits(t, words) ? at(t, words) : Number.POSITIVE_INFINITY }))
      .reduce((best, x) => (x.pos < best.pos ? x : best), { i: -1, pos: Number.POSITIVE_INFINITY }).i;
  const orders = (c.order ?? []).map(([later, earlier]) => {
    const a = find(later);
    const b = find(earlier);
    return a >= 0 && b >= 0 && a !== b && waitsFor(plan.subtasks, a, b);
  });
  const long: string[] = [];
  const pasted: string[] = [];
  titleProblems(c.title, plan.subtasks, long, pasted);
  return {
    title: c.title,
    kind: detectPattern(subject, registry).pattern === c.kind,
    deliverables,
    orders,
    longTitles: long,
    pasted,
    got: titles.join(' | '),
  };
}

const results = corpus.cases.map(judge);
const percent = (n: number, of: number) => Math.round((n / Math.max(1, of)) * 1000) / 10;
const orders = results.flatMap((r) => r.orders);
const score = {
  cases: results.length,
  kind: percent(results.filter((r) => r.kind).length, results.length),
  deliverables: percent(results.filter((r) => r.deliverables).length, results.length),
  ordering: percent(orders.filter(Boolean).length, orders.length),
  titlesOver80: results.reduce((n, r) => n + r.longTitles.length, 0),
  parentTitlePasted: results.reduce((n, r) => n + r.pasted.length, 0),
};

describe('breakdown quality corpus', () => {
  it('scores the rule planner', () => {
    console.log(`breakdown corpus score: ${JSON.stringify(score)}`);
    for (const r of results) for (const t of [...r.longTitles, ...r.pasted]) console.log(`  [title] ${t}`);
    for (const r of results.filter((x) => !x.kind || !x.deliverables || x.orders.includes(false))) {
      console.log(
        `  ${r.kind ? '' : '[kind] '}${r.deliverables ? '' : '[deliverables] '}${r.orders.includes(false) ? '[order] ' : ''}${r.title}\n    → ${r.got}`,
      );
    }
    expect(score.cases).toBeGreaterThanOrEqual(60);
    expect(score.kind).toBeGreaterThanOrEqual(90);
    expect(score.deliverables).toBeGreaterThanOrEqual(85);
    expect(score.ordering).toBe(100);
    expect(results.flatMap((r) => r.longTitles)).toEqual([]);
    expect(results.flatMap((r) => r.pasted)).toEqual([]);
  });
});
