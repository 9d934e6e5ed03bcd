import type { PlanNodeInput } from '../schemas/plans.js';
import { formatEstimate, readEstimate } from '../values.js';
import type { PlanProblem } from './markdown.js';
import type { ExportedPlanNode, PlanDocument, PlanNode } from './types.js';

/** Plans as JSON, the checks every plan passes before it is written, and plans back to Markdown. */

/** Every node of a plan, in reading order (a parent before its subtasks). */
export function flattenPlan<N extends { subtasks: N[] }>(nodes: readonly N[]): N[] {
  const out: N[] = [];
  const visit = (n: N) => {
    out.push(n);
    for (const s of n.subtasks) visit(s);
  };
  for (const n of nodes) visit(n);
  return out;
}

/**
 * A JSON plan as plan nodes numbered in reading order. `dependsOn` names other nodes by their
 * `ref` when the plan gives refs, else by reading-order number.
 */
export function planFromJson(tasks: readonly PlanNodeInput[]): { nodes: PlanNode[]; problems: PlanProblem[] } {
  const inputs: PlanNodeInput[] = [];
  const walk = (n: PlanNodeInput) => {
    inputs.push(n);
    for (const s of n.subtasks ?? []) walk(s);
  };
  for (const t of tasks) walk(t);
  const problems: PlanProblem[] = [];
  const byRef = new Map<string, number>();
  for (const [i, n] of inputs.entries()) {
    if (n.ref === undefined) continue;
    const key = String(n.ref);
    if (byRef.has(key)) problems.push({ line: 0, message: `ref ${key} names two tasks ("${n.title}" and another)` });
    byRef.set(key, i + 1);
  }
  const numbers = new Map(inputs.map((n, i) => [n, i + 1]));
  const build = (n: PlanNodeInput): PlanNode => {
    const ref = numbers.get(n) as number;
    const dependsOn: number[] = [];
    for (const d of n.dependsOn ?? []) {
      const found = byRef.size > 0 ? byRef.get(String(d)) : typeof d === 'number' && d <= inputs.length ? d : undefined;
      if (found === undefined)
        problems.push({ line: 0, message: `"${n.title}" depends on ${JSON.stringify(d)}, which names no task of this plan` });
      else dependsOn.push(found);
    }
    const estimate = n.estimate !== undefined ? readEstimate(n.estimate) : null;
    return {
      ref,
      line: 0,
      title: n.title,
      description: n.description ?? null,
      capabilities: n.capabilities ?? [],
      priority: n.priority ?? null,
      estimateMinutes: estimate && 'minutes' in estimate ? estimate.minutes : (n.estimateMinutes ?? null),
      done: n.done ?? false,
      dependsOn: [...new Set(dependsOn)],
      dependsOnTasks: [...new Set(n.dependsOnTasks ?? [])],
      subtasks: (n.subtasks ?? []).map(build),
    };
  };
  return { nodes: tasks.map(build), problems };
}

/**
 * A plan as Markdown that imports back to the same tree: top-level tasks are headings, the rest
 * nested checklists; `#N` in a dependency line is the item's number in this file.
 */
export function planToMarkdown(document: PlanDocument): string {
  const out: string[] = [];
  // What a subtask inherits on import is written once, on its parent.
  const deps = (n: ExportedPlanNode, parent: ExportedPlanNode | null) => {
    const names = [
      ...n.dependsOn.filter((ref) => !parent?.dependsOn.includes(ref)).map((ref) => `#${ref}`),
      ...n.dependsOnTasks.filter((id) => !parent?.dependsOnTasks.includes(id)).map((id) => `task ${id}`),
    ];
    return names.length > 0 ? [`depends on ${names.join(', ')}`] : [];
  };
  const item = (n: ExportedPlanNode, parent: ExportedPlanNode, depth: number) => {
    const pad = '  '.repeat(depth);
    out.push(`${pad}- [${n.status === 'completed' ? 'x' : ' '}] ${titleLine(n, parent)}`);
    for (const line of [...body(n.description), ...deps(n, parent)]) out.push(line === '' ? '' : `${pad}  ${line}`);
    for (const s of n.subtasks) item(s, n, depth + 1);
  };
  for (const root of document.tasks) {
    if (out.length > 0) out.push('');
    out.push(`# ${root.status === 'completed' ? '[x] ' : ''}${titleLine(root, null)}`);
    const text = [...body(root.description), ...deps(root, null)];
    if (text.length > 0) out.push('', ...text);
    if (root.subtasks.length > 0) out.push('');
    for (const s of root.subtasks) item(s, root, 0);
  }
  return `${out.join('\n')}\n`;
}

function titleLine(n: ExportedPlanNode, parent: ExportedPlanNode | null): string {
  const inherited = parent?.priority ?? 'normal';
  return [
    n.title,
    ...n.capabilities.filter((c) => !parent?.capabilities.includes(c)).map((c) => `@${c}`),
    ...(n.priority && n.priority !== inherited ? [`!${n.priority}`] : []),
    ...(n.estimateMinutes ? [`~${formatEstimate(n.estimateMinutes)}`] : []),
  ].join(' ');
}

/** A description as lines that read back as description: none may pass for an item, heading or dependency line. */
function body(description: string | null): string[] {
  if (!description) return [];
  return description
    .split('\n')
    .map((line) => (/^\s*([-*+#]|\d+[.)]|depends on|after|blocked by|needs)\b/i.test(line) ? `\\${line}` : line));
}
