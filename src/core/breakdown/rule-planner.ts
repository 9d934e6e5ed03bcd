import { complexityOfEstimate } from '../values.js';
import { type CapabilityMap, subtaskCapabilities } from './capabilities.js';
import { checklistForBreakdown } from './checklist.js';
import { analyzeComplexity } from './complexity.js';
import { deliverablesOf, withFollowUps } from './deliverables.js';
import { detectPattern } from './detect.js';
import type { PatternRegistry } from './registry.js';
import { splitRounded } from './shares.js';
import { clipTitle, shortTitle, stepTitle, TITLE_MAX, titleParts } from './subject.js';
import type { BreakdownSubject, Pattern, Plan, PlannedSubtask, PlanSource } from './types.js';
import { MAX_SUBTASKS } from './validate.js';

/** A still-epic subtask is broken down again, down to this many levels below the task. */
export const MAX_DEPTH = 3;
/** Recursion stops adding levels once the whole tree holds this many subtasks. */
export const MAX_TOTAL_SUBTASKS = 100;

export interface RulePlanOptions {
  registry: PatternRegistry;
  maxDepth?: number;
  /** Forces a pattern instead of detecting one. */
  pattern?: string;
  /** What the capability labels of pattern steps mean in this store (see `subtaskCapabilities`). */
  capabilities?: CapabilityMap | undefined;
}

const dedupe = (list: readonly string[]) => [...new Set(list)];

function complexityOf(subtask: { title: string; description: string | null; estimateMinutes: number | null }) {
  return subtask.estimateMinutes !== null ? complexityOfEstimate(subtask.estimateMinutes) : analyzeComplexity(subtask).complexity;
}

function subtask(fields: Omit<PlannedSubtask, 'complexity' | 'subtasks' | 'source' | 'pattern'>): PlannedSubtask {
  return { ...fields, complexity: complexityOf(fields), subtasks: [], source: null, pattern: null };
}

/** Shares of the estimate in planner-friendly steps, or nulls when the task has none. */
function estimates(subject: BreakdownSubject, weights: readonly number[]): (number | null)[] {
  const total = subject.estimateMinutes ?? null;
  if (total === null) return weights.map(() => null);
  return splitRounded(total, weights).map((m) => (m > 0 ? m : null));
}

/** Applies a pattern: one subtask per step, titled verb first after the task's subject. */
export function planFromPattern(subject: BreakdownSubject, pattern: Pattern, capabilities?: CapabilityMap): PlannedSubtask[] {
  const name = titleParts(subject.title);
  const index = new Map(pattern.steps.map((s, i) => [s.key, i]));
  const minutes = estimates(
    subject,
    pattern.steps.map((s) => s.share),
  );
  return pattern.steps.map((step, i) =>
    subtask({
      title: stepTitle(step.title, name),
      description: step.description ? stepTitle(step.description, name) : null,
      capabilities: subtaskCapabilities(subject.capabilities, step.capabilities, capabilities),
      estimateMinutes: minutes[i] ?? null,
      dependsOn: (step.dependsOn ?? []).map((k) => index.get(k)).filter((d): d is number => d !== undefined),
      step: step.key,
    }),
  );
}

/** Subtasks of equal shares, in order, needing what the parent needs. */
function itemsPlan(
  subject: BreakdownSubject,
  items: readonly { title: string; description: string | null; dependsOn: number[] }[],
): PlannedSubtask[] {
  const minutes = estimates(
    subject,
    items.map(() => 1),
  );
  // Testing, documentation and release items wait for the work before them.
  const dependsOn = withFollowUps(
    items.map((i) => i.title),
    items.map((i) => i.dependsOn),
  );
  return items.map((item, i) =>
    subtask({
      title: clipTitle(item.title),
      description: item.description,
      capabilities: dedupe([...(subject.capabilities ?? [])]),
      estimateMinutes: minutes[i] ?? null,
      dependsOn: dependsOn[i] ?? [],
      step: null,
    }),
  );
}

/**
 * One subtask per open checklist item, in order and as written. Numbered steps are a sequence,
 * each waiting for the previous one; other items are independent, so several workers can share
 * them — except testing, documentation and release items, which wait for the items before them.
 */
export function planFromChecklist(subject: BreakdownSubject): PlannedSubtask[] {
  const items = checklistForBreakdown(subject.description)
    .filter((i) => !i.done)
    .slice(0, MAX_SUBTASKS);
  if (items.length < 2) return [];
  return itemsPlan(
    subject,
    items.map((item, i) => ({
      ...itemTitle(item.text, item.details),
      dependsOn: item.kind === 'numbered' && i > 0 ? [i - 1] : [],
    })),
  );
}

/** An item as a title of at most TITLE_MAX characters; a longer item's whole text opens the description. */
function itemTitle(text: string, details: string | null): { title: string; description: string | null } {
  if (text.length <= TITLE_MAX) return { title: text, description: details };
  return { title: shortTitle(text, TITLE_MAX), description: details ? `${text}\n${details}` : text };
}

/** One subtask per deliverable the task names ("with OAuth, password reset and admin dashboard"). */
export function planFromDeliverables(subject: BreakdownSubject): PlannedSubtask[] {
  const found = deliverablesOf(subject).slice(0, MAX_SUBTASKS);
  if (found.length < 2) return [];
  return itemsPlan(
    subject,
    found.map((d) => ({ title: d.title, description: null, dependsOn: d.after })),
  );
}

/**
 * The subtasks of one level: the checklist when there is one, else the deliverables the task
 * names, else — one piece of work — the pattern of its kind.
 */
function planLevel(
  subject: BreakdownSubject,
  options: RulePlanOptions,
): { source: PlanSource; pattern: string | null; subtasks: PlannedSubtask[] } {
  if (options.pattern === undefined) {
    const fromChecklist = planFromChecklist(subject);
    if (fromChecklist.length > 0) return { source: 'checklist', pattern: null, subtasks: fromChecklist };
    const fromDeliverables = planFromDeliverables(subject);
    if (fromDeliverables.length > 0) return { source: 'deliverables', pattern: null, subtasks: fromDeliverables };
  }
  const name = options.pattern ?? detectPattern(subject, options.registry).pattern;
  const pattern = options.registry.get(name) ?? options.registry.generic();
  return { source: 'pattern', pattern: pattern.name, subtasks: planFromPattern(subject, pattern, options.capabilities) };
}

/**
 * Breaks down, again, every subtask that is still an epic, to `maxDepth` levels below the task,
 * while the tree stays under MAX_TOTAL_SUBTASKS. Applies to any planner's output.
 */
export function expandEpics(
  subtasks: PlannedSubtask[],
  context: { type?: string | null | undefined; tags?: readonly string[] | undefined; pattern?: string | null | undefined },
  options: RulePlanOptions,
): PlannedSubtask[] {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  let total = subtasks.length;
  const expand = (list: PlannedSubtask[], level: number, parentPattern: string | null): void => {
    if (level >= maxDepth) return;
    for (const s of list) {
      if (s.complexity !== 'epic' || s.subtasks.length > 0) continue;
      // A checklist item or a deliverable is planned by its own kind; only a pattern's step shares
      // the parent's type.
      let below = planLevel(
        { ...s, type: s.step !== null ? context.type : null, tags: context.tags },
        { registry: options.registry, capabilities: options.capabilities },
      );
      // A step of a pattern ("Implement the billing API") is not a new project of the same kind:
      // applying that pattern again would repeat its requirements and design. It is split into
      // parts small enough to claim, which can run side by side.
      if (s.step !== null && below.source === 'pattern' && below.pattern === parentPattern) {
        below = { source: 'parts', pattern: null, subtasks: splitIntoParts(s) };
      }
      if (total + below.subtasks.length > MAX_TOTAL_SUBTASKS) continue;
      total += below.subtasks.length;
      s.subtasks = below.subtasks;
      s.source = below.source;
      s.pattern = below.pattern;
    }
    for (const s of list) expand(s.subtasks, level + 1, s.pattern);
  };
  // The given subtasks are level 1.
  expand(subtasks, 1, context.pattern ?? null);
  return subtasks;
}

/** Minutes of one part: the most a task may have without being an epic (SPEC §2). */
const PART_LIMIT_MINUTES = 24 * 60;
/** Parts per step at most; a part still too big is broken down again at the next level. */
const MAX_PARTS = 6;

/** An epic step split into equal, independent parts of at most PART_LIMIT_MINUTES where possible. */
function splitIntoParts(step: PlannedSubtask): PlannedSubtask[] {
  const total = step.estimateMinutes ?? PART_LIMIT_MINUTES * 2;
  const count = Math.min(MAX_PARTS, Math.max(2, Math.ceil(total / PART_LIMIT_MINUTES)));
  const shares = splitRounded(total, new Array<number>(count).fill(1));
  const parts = titleParts(step.title);
  return shares.map((minutes, i) => ({
    title: stepTitle(`{action} (part ${i + 1} of ${count})`, parts),
    description: step.description,
    capabilities: [...step.capabilities],
    estimateMinutes: minutes,
    complexity: complexityOfEstimate(minutes),
    dependsOn: [],
    step: null,
    subtasks: [],
    source: null,
    pattern: null,
  }));
}

/** The built-in planner: checklist, else pattern; then still-epic subtasks broken down again. */
export function rulePlan(subject: BreakdownSubject, options: RulePlanOptions): Plan {
  const level = planLevel(subject, options);
  return {
    planner: 'rules',
    source: level.source,
    pattern: level.pattern,
    subtasks: expandEpics(level.subtasks, { ...subject, pattern: level.pattern }, options),
  };
}
