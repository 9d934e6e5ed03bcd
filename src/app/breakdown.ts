import { checklistForBreakdown } from '../core/breakdown/checklist.js';
import { analyzeComplexity, breaksDownOnCreate } from '../core/breakdown/complexity.js';
import { deliverablesOf } from '../core/breakdown/deliverables.js';
import { detectPattern } from '../core/breakdown/detect.js';
import type { PatternRegistry } from '../core/breakdown/registry.js';
import { expandEpics, rulePlan } from '../core/breakdown/rule-planner.js';
import type { BreakdownSubject, Plan, PlannerName } from '../core/breakdown/types.js';
import type { BreakdownPolicy } from '../core/policy.js';
import type { TaskAnalysis } from './baton.js';
import { loadPatternsFile } from './patterns-file.js';
import type { PlannerBreakers } from './planner-breakers.js';
import { runCommandPlanner } from './planners/command.js';
import { runHttpPlanner } from './planners/http.js';
import { PlannerError, parsePlannerOutput } from './planners/output.js';

/**
 * Planning, outside any transaction: a planner may take a minute (an agent, an LLM), and no
 * store lock is held meanwhile. The plan is then written in one transaction by breakdown-write.
 */

export interface PlanningContext {
  policy: BreakdownPolicy;
  registry: PatternRegistry;
  /** `.baton/patterns.yaml` of the store, if any. */
  patternsFile: string | null;
  cwd?: string | undefined;
  /** The breakers of the outside planners in this process, and the time they go by (ms). */
  breakers?: { states: PlannerBreakers; now: () => number } | undefined;
}

export interface PreparedPlan {
  plan: Plan;
  requestedPlanner: PlannerName;
  /** Why the requested planner's plan was not used (the rule planner's was), or null. */
  fallbackReason: string | null;
  /** Problems that did not stop the plan, such as a malformed patterns file. */
  warnings: string[];
}

/** The registry with the store's patterns on top; a malformed file leaves the built-ins in charge. */
export async function storeRegistry(context: PlanningContext): Promise<{ registry: PatternRegistry; warnings: string[] }> {
  const file = await loadPatternsFile(context.patternsFile);
  if (file.error) return { registry: context.registry, warnings: [`patterns file refused: ${file.error}`] };
  return { registry: context.registry.withPatterns(file.patterns), warnings: [] };
}

export async function analyzeSubject(
  subject: BreakdownSubject,
  task: { id: number; subtasks: number } | null,
  context: PlanningContext,
): Promise<TaskAnalysis> {
  const report = analyzeComplexity(subject, context.policy.mode);
  if (task && task.subtasks > 0) {
    report.recommendation = { action: 'none', message: `already broken down into ${task.subtasks} subtasks` };
  }
  const { registry } = await storeRegistry(context);
  const checklistItems = checklistForBreakdown(subject.description).filter((i) => !i.done).length;
  return {
    taskId: task?.id ?? null,
    ...report,
    detected: detectPattern(subject, registry),
    checklistItems,
    deliverables: checklistItems >= 2 ? [] : deliverablesOf(subject).map((d) => d.title),
    breaksDownOnCreate: breaksDownOnCreate(report.complexity, context.policy.mode),
  };
}

/** Makes a plan with the requested planner, or with the rule planner when that one fails. */
export async function preparePlan(
  subject: BreakdownSubject & { id?: number | null; priority?: string; complexity?: string },
  planner: PlannerName,
  context: PlanningContext,
): Promise<PreparedPlan> {
  const { registry, warnings } = await storeRegistry(context);
  const capabilities = context.policy.capabilities;
  const rules = () => rulePlan(subject, { registry, capabilities });
  if (planner === 'rules') return { plan: rules(), requestedPlanner: planner, fallbackReason: null, warnings };
  const fallback = (why: string): PreparedPlan => ({
    plan: rules(),
    requestedPlanner: planner,
    fallbackReason: `${planner} planner: ${why}`,
    warnings,
  });
  const breakers = context.breakers;
  const refused = breakers?.states.refusal(planner, breakers.now());
  if (refused) return fallback(refused);
  try {
    const text = await runExternal(subject, planner, context);
    const subtasks = await parsePlannerOutput(text, subject.capabilities ?? [], capabilities);
    const expanded = expandEpics(subtasks, subject, { registry, capabilities });
    const plan: Plan = { planner, source: 'planner', pattern: null, subtasks: expanded };
    breakers?.states.record(planner, false, breakers.now());
    return { plan, requestedPlanner: planner, fallbackReason: null, warnings };
  } catch (err) {
    if (!(err instanceof PlannerError)) throw err;
    breakers?.states.record(planner, true, breakers.now());
    return fallback(err.message);
  }
}

function payloadOf(subject: BreakdownSubject & { id?: number | null; priority?: string; complexity?: string }) {
  return {
    task: {
      id: subject.id ?? null,
      title: subject.title,
      description: subject.description ?? null,
      type: subject.type ?? null,
      priority: subject.priority ?? null,
      capabilities: subject.capabilities ?? [],
      tags: subject.tags ?? [],
      estimateMinutes: subject.estimateMinutes ?? null,
      complexity: subject.complexity ?? null,
    },
    answer: {
      subtasks: [{ title: 'string', description: 'string', capabilities: ['string'], estimateMinutes: 0, dependsOn: [0] }],
    },
    maxSubtasks: 30,
  };
}

async function runExternal(subject: BreakdownSubject, planner: 'command' | 'http', context: PlanningContext): Promise<string> {
  const p = context.policy;
  const common = { payload: payloadOf(subject), timeoutMs: p.timeoutSeconds * 1000, maxBytes: p.maxOutputBytes };
  if (planner === 'command') {
    if (!p.command) throw new PlannerError('no breakdown.command in .baton/config.yaml');
    return runCommandPlanner({ ...common, command: p.command, cwd: context.cwd });
  }
  const url = p.http.url ?? process.env.BATON_PLANNER_URL ?? null;
  const model = p.http.model ?? process.env.BATON_PLANNER_MODEL ?? null;
  if (!url) throw new PlannerError('no breakdown.http.url in .baton/config.yaml (or BATON_PLANNER_URL)');
  if (!model) throw new PlannerError('no breakdown.http.model in .baton/config.yaml (or BATON_PLANNER_MODEL)');
  return runHttpPlanner({ ...common, url, model, apiKey: process.env[p.http.apiKeyEnv] ?? null });
}
