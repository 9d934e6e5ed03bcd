import type { Complexity } from '../types.js';
import { complexityOfEstimate, formatEstimate } from '../values.js';
import { parseChecklist } from './checklist.js';
import { deliverablesOf } from './deliverables.js';
import { compile, count, occurs, tokenize } from './text.js';
import type { BreakdownSubject } from './types.js';

/** What to do about a task of this complexity, given the breakdown mode. */
export type RecommendedAction = 'none' | 'consider_breakdown' | 'breakdown';

export interface ComplexityReport {
  complexity: Complexity;
  /** `estimate` when the estimate decided, `text` when the words did. */
  basis: 'estimate' | 'text';
  estimateMinutes: number | null;
  /** Points from the text (0 when nothing suggests size); decides only without an estimate. */
  score: number;
  reasons: string[];
  recommendation: { action: RecommendedAction; message: string };
}

export type BreakdownMode = 'epic-only' | 'recommended';

/** Text score → complexity, used only when there is no estimate. */
const TEXT_THRESHOLDS: readonly [number, Complexity][] = [
  [6, 'epic'],
  [4, 'complex'],
  [2, 'medium'],
];

const SCOPE_WORDS = [
  'integrat*',
  'migrat*',
  'end to end',
  'e2e',
  'full stack',
  'from scratch',
  'rewrite',
  'entire',
  'whole',
  'platform',
  'overhaul',
  'across',
].map(compile);

interface Signal {
  points: number;
  reason: string;
}

/** Signals of size in the words of a task: length, deliverables, lists, scope words. */
function textSignals(subject: BreakdownSubject): Signal[] {
  const description = subject.description ?? '';
  const signals: Signal[] = [];
  const length = subject.title.length + description.length;
  const lengthPoints = length > 3000 ? 3 : length > 1200 ? 2 : length > 400 ? 1 : 0;
  if (lengthPoints > 0) signals.push({ points: lengthPoints, reason: `long description (${length} characters)` });

  const items = parseChecklist(description);
  const itemPoints = items.length >= 10 ? 3 : items.length >= 6 ? 2 : items.length >= 3 ? 1 : 0;
  if (itemPoints > 0) signals.push({ points: itemPoints, reason: `a list of ${items.length} items` });

  // The same reading the rule planner splits by: what `analyze` counts is what breakdown makes.
  const deliverables = deliverablesOf({ title: subject.title }).length;
  if (deliverables >= 2) {
    signals.push({ points: deliverables >= 3 ? 2 : 1, reason: `${deliverables} distinct deliverables in the title` });
  }

  const tokens = tokenize(`${subject.title}\n${description}`);
  const ands = count('and', tokens);
  const andPoints = ands >= 6 ? 2 : ands >= 3 ? 1 : 0;
  if (andPoints > 0) signals.push({ points: andPoints, reason: `"and" appears ${ands} times` });

  const scope = SCOPE_WORDS.filter((m) => occurs(m, tokens)).map((m) => m.keyword.replace('*', ''));
  if (scope.length > 0) {
    signals.push({
      points: Math.min(3, scope.length),
      reason: `scope words: ${scope.map((w) => `"${w}"`).join(', ')}`,
    });
  }
  return signals;
}

function fromText(score: number): Complexity {
  for (const [min, complexity] of TEXT_THRESHOLDS) if (score >= min) return complexity;
  return 'simple';
}

// Printed as an estimate is typed, so a reason can be pasted back into `--estimate`.
const hours = (m: number) => formatEstimate(m);

function estimateReason(minutes: number, complexity: Complexity): string {
  const bounds: Record<Complexity, string> = {
    simple: 'at most 4h (simple)',
    medium: 'above 4h and at most 12h (medium)',
    complex: 'above 12h and at most 24h (complex)',
    epic: 'above 24h (epic)',
  };
  return `estimate ${hours(minutes)} is ${bounds[complexity]}`;
}

function recommend(complexity: Complexity, mode: BreakdownMode): ComplexityReport['recommendation'] {
  switch (complexity) {
    case 'epic':
      return { action: 'breakdown', message: 'too big for one worker: break it down (done automatically on creation)' };
    case 'complex':
      return mode === 'recommended'
        ? { action: 'breakdown', message: 'break it down (done automatically on creation: breakdown mode is "recommended")' }
        : { action: 'consider_breakdown', message: 'consider breaking it down: `baton breakdown ID`' };
    case 'medium':
      return { action: 'none', message: 'fine for one worker; report progress at checkpoints' };
    case 'simple':
      return { action: 'none', message: 'fine for one worker' };
    default: {
      const never: never = complexity;
      return never;
    }
  }
}

/**
 * SPEC §2 and §6: complexity from the estimate when there is one, else from signals in the text;
 * always with the reasons, so a user can see why a task was (or was not) broken down.
 */
export function analyzeComplexity(subject: BreakdownSubject, mode: BreakdownMode = 'epic-only'): ComplexityReport {
  const signals = textSignals(subject);
  const score = signals.reduce((sum, s) => sum + s.points, 0);
  const estimate = subject.estimateMinutes ?? null;
  const complexity = estimate !== null ? complexityOfEstimate(estimate) : fromText(score);
  const reasons =
    estimate !== null
      ? [estimateReason(estimate, complexity), ...signals.map((s) => `text also shows: ${s.reason}`)]
      : [`no estimate: judged from the text (score ${score})`, ...signals.map((s) => `${s.reason} (+${s.points})`)];
  return {
    complexity,
    basis: estimate !== null ? 'estimate' : 'text',
    estimateMinutes: estimate,
    score,
    reasons,
    recommendation: recommend(complexity, mode),
  };
}

/** Whether a task of this complexity is broken down when it is created. */
export function breaksDownOnCreate(complexity: Complexity, mode: BreakdownMode): boolean {
  return complexity === 'epic' || (complexity === 'complex' && mode === 'recommended');
}

/**
 * Estimate bands of the 1–10 score, upper bounds in hours of work (a day is 8): 1 h, 2 h, 4 h
 * (simple up to here), 1 d, 12 h (medium), 2 d, 3 d (complex), a week, two weeks; epic beyond.
 */
const SCORE_BANDS = [1, 2, 4, 8, 12, 16, 24, 40, 80].map((hours) => hours * 60);
const TEXT_SCORE: Record<Complexity, number> = { simple: 2, medium: 4, complex: 6, epic: 8 };

/**
 * A task's complexity as a score from 1 to 10, with the reasons: from its estimate when it has
 * one (bands of SCORE_BANDS), else from what the text says; one more when it names several
 * deliverables or carries a checklist of four items or more.
 */
export function complexityScore(
  report: ComplexityReport,
  extra: { deliverables: number; checklistItems: number },
): { score: number; reasons: string[] } {
  const base =
    report.estimateMinutes !== null
      ? SCORE_BANDS.filter((upper) => (report.estimateMinutes as number) > upper).length + 1
      : TEXT_SCORE[report.complexity];
  const reasons = [...report.reasons];
  let score = base;
  if (extra.deliverables >= 2) {
    score += 1;
    reasons.push(`names ${extra.deliverables} deliverables (+1)`);
  } else if (extra.checklistItems >= 4) {
    score += 1;
    reasons.push(`a checklist of ${extra.checklistItems} open items (+1)`);
  }
  return { score: Math.min(10, score), reasons };
}
