import { type CapabilityMap, subtaskCapabilities } from '../../core/breakdown/capabilities.js';
import { analyzeComplexity } from '../../core/breakdown/complexity.js';
import { plannerOutputSchema } from '../../core/breakdown/schemas.js';
import type { PlannedSubtask } from '../../core/breakdown/types.js';
import { planProblems } from '../../core/breakdown/validate.js';
import { complexityOfEstimate } from '../../core/values.js';

/** Why an external planner's answer was not used; the message is recorded on the task. */
export class PlannerError extends Error {
  override readonly name = 'PlannerError';
}

/**
 * An external planner's answer → subtasks, or a PlannerError saying what is wrong with it:
 * not JSON, not the `{"subtasks":[…]}` shape, more than 30 subtasks, empty titles, dependencies
 * on missing siblings or in a cycle. Subtasks need the parent's capabilities (`subtaskCapabilities`). Chat models often wrap JSON in a Markdown fence; that is
 * tolerated.
 */
export async function parsePlannerOutput(
  text: string,
  inherited: readonly string[],
  capabilityMap?: CapabilityMap,
): Promise<PlannedSubtask[]> {
  const body = unfence(text.trim());
  if (body.length === 0) throw new PlannerError('empty output');
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new PlannerError(`output is not JSON (${(err as Error).message})`);
  }
  const parsed = plannerOutputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlannerError(`output does not match {"subtasks":[…]}: ${issue?.path.join('.') || 'output'}: ${issue?.message}`);
  }
  const subtasks: PlannedSubtask[] = parsed.data.subtasks.map((s) => {
    const estimateMinutes = s.estimateMinutes != null ? Math.max(1, Math.round(s.estimateMinutes)) : null;
    const description = s.description ?? null;
    return {
      title: s.title,
      description,
      // The planner's labels follow the rule of pattern steps: they never add a capability.
      capabilities: subtaskCapabilities(inherited, s.capabilities, capabilityMap),
      estimateMinutes,
      complexity:
        estimateMinutes !== null
          ? complexityOfEstimate(estimateMinutes)
          : analyzeComplexity({ title: s.title, description }).complexity,
      dependsOn: [...new Set(s.dependsOn ?? [])],
      step: null,
      subtasks: [],
      source: null,
      pattern: null,
    };
  });
  const [problem] = planProblems(subtasks);
  if (problem) throw new PlannerError(`invalid plan: ${problem}`);
  return subtasks;
}

function unfence(text: string): string {
  const m = /^```[a-z]*\s*\n([\s\S]*?)\n?```$/i.exec(text);
  return m ? (m[1] as string).trim() : text;
}
