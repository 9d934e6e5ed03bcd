import { defaultRegistry } from '../../../src/core/breakdown/registry.js';
import { rulePlan } from '../../../src/core/breakdown/rule-planner.js';
import type { CreateTaskInput, Plan, TaskAnalysis } from '../api/types';
import { api } from '../lib/session';

export interface PreviewResult {
  analysis: TaskAnalysis;
  /** The subtasks creating it would make, or null when it would not be broken down. */
  plan: Plan | null;
  /** Why the plan may differ from what the server will do, if it may. */
  caveat: string | null;
}

/**
 * What creating this task would do, writing nothing. The server judges complexity and whether
 * it splits on creation (its config and patterns file decide); the steps come from the same rule
 * planner the server runs, so they match unless the server uses its own patterns or planner.
 */
export async function previewCreate(input: CreateTaskInput): Promise<PreviewResult> {
  const subject = {
    title: input.title,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.type !== undefined && { type: input.type }),
    ...(input.capabilities !== undefined && { capabilities: input.capabilities }),
    ...(input.tags !== undefined && { tags: input.tags }),
    ...(input.estimateMinutes !== undefined && { estimateMinutes: input.estimateMinutes }),
  };
  const analysis = await api.analyze(subject);
  if (input.noBreakdown || !analysis.breaksDownOnCreate) return { analysis, plan: null, caveat: null };
  const plan = rulePlan(subject, { registry: defaultRegistry }) as unknown as Plan;
  const serverPattern = analysis.detected?.pattern;
  const caveat =
    plan.source === 'pattern' && serverPattern && serverPattern !== plan.pattern
      ? `The server will use its "${serverPattern}" pattern; the steps may differ.`
      : null;
  return { analysis, plan, caveat };
}
