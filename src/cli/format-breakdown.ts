import type {
  BreakdownAllResult,
  BreakdownResult,
  ComplexityOverview,
  PlanImport,
  PlanTaskView,
  TaskAnalysis,
} from '../app/baton.js';
import type { PlannedSubtask } from '../core/breakdown/types.js';
import type { Task } from '../core/types.js';
import { pc } from './colors.js';
import { formatMinutes, status, table } from './format.js';

/** Human output of `baton analyze`, `baton breakdown`, the breakdown line of `baton add`, and `baton plan import`. */

const estimate = (m: number | null) => (m !== null ? formatMinutes(m) : pc.dim('no estimate'));
const caps = (list: readonly string[]) => (list.length > 0 ? pc.dim(`[${list.join(', ')}]`) : '');

export function formatAnalysis(a: TaskAnalysis): string {
  const action = { none: pc.green, consider_breakdown: pc.yellow, breakdown: pc.red }[a.recommendation.action];
  const lines = [
    `${pc.bold(a.taskId !== null ? `#${a.taskId}` : 'task')} is ${pc.bold(a.complexity)}${a.estimateMinutes !== null ? ` (estimate ${formatMinutes(a.estimateMinutes)})` : ''}`,
    pc.bold('Why'),
    ...a.reasons.map((r) => `  - ${r}`),
    `${pc.bold('Kind of work')}  ${a.detected.label}${a.detected.matched.length > 0 ? pc.dim(` (${a.detected.matched.join(', ')})`) : pc.dim(' (nothing specific matched)')}`,
  ];
  if (a.checklistItems >= 2)
    lines.push(`${pc.bold('Checklist')}     ${a.checklistItems} items: breakdown follows them, in order`);
  else if (a.deliverables.length >= 2)
    lines.push(
      `${pc.bold('Deliverables')}  ${a.deliverables.length}: ${a.deliverables.join('; ')} — one subtask each, each planned by its own kind`,
    );
  lines.push(`${pc.bold('Recommended')}   ${action(a.recommendation.message)}`);
  return lines.join('\n');
}

function after(deps: readonly string[]): string {
  return deps.length > 0 ? pc.dim(`  after ${deps.join(', ')}`) : '';
}

function tree<T>(items: readonly T[], prefix: string, line: (item: T) => string, children: (item: T) => readonly T[]): string[] {
  return items.flatMap((item, i) => {
    const last = i === items.length - 1;
    return [
      `${prefix}${last ? '└── ' : '├── '}${line(item)}`,
      ...tree(children(item), `${prefix}${last ? '    ' : '│   '}`, line, children),
    ];
  });
}

/** The subtasks written, by id, under their parents. */
function writtenTree(root: Task, created: readonly Task[]): string[] {
  const kids = (t: Task) => created.filter((c) => c.parentId === t.id).sort((a, b) => a.id - b.id);
  const line = (t: Task) => {
    const deps = t.dependsOn.filter((d) => !created.some((c) => c.id === d && c.parentId === t.id)).map((d) => `#${d}`);
    return `${pc.bold(`#${t.id}`)} ${t.title}  ${estimate(t.estimateMinutes)}  ${caps(t.capabilities)} ${status(t.status)}${after(deps)}`;
  };
  return tree(kids(root), '', line, kids);
}

/** `baton show ID --tree`: every subtask below the task, with status and progress. */
export function formatSubtaskTree(root: Task, subtasks: readonly Task[]): string {
  if (subtasks.length === 0) return pc.dim('no subtasks');
  const kids = (t: Task) => subtasks.filter((c) => c.parentId === t.id);
  const line = (t: Task) => {
    const deps = t.dependsOn.filter((d) => !subtasks.some((c) => c.id === d && c.parentId === t.id)).map((d) => `#${d}`);
    return `${pc.bold(`#${t.id}`)} ${t.title}  ${status(t.status)} ${t.progress}%  ${estimate(t.estimateMinutes)}${after(deps)}`;
  };
  return [
    `${pc.bold(`#${root.id}`)} ${root.title}  ${status(root.status)} ${root.progress}%`,
    ...tree(kids(root), '', line, kids),
  ].join('\n');
}

/** The plan of a dry run, numbered like an outline (1, 1.2, …). */
function plannedTree(subtasks: readonly PlannedSubtask[]): string[] {
  const number = new Map<PlannedSubtask, string>();
  const walk = (list: readonly PlannedSubtask[], prefix: string) =>
    list.forEach((s, i) => {
      number.set(s, `${prefix}${i + 1}`);
      walk(s.subtasks, `${prefix}${i + 1}.`);
    });
  walk(subtasks, '');
  const siblings = new Map<PlannedSubtask, readonly PlannedSubtask[]>();
  const index = (list: readonly PlannedSubtask[]) =>
    list.forEach((s) => {
      siblings.set(s, list);
      index(s.subtasks);
    });
  index(subtasks);
  const line = (s: PlannedSubtask) => {
    const deps = s.dependsOn.map((d) => number.get(siblings.get(s)?.[d] as PlannedSubtask) ?? String(d + 1));
    return `${pc.bold(number.get(s) ?? '')} ${s.title}  ${estimate(s.estimateMinutes)}  ${caps(s.capabilities)}${after(deps)}`;
  };
  return tree(subtasks, '', line, (s) => s.subtasks);
}

export function formatBreakdown(r: BreakdownResult): string {
  const how =
    r.plan.source === 'checklist'
      ? 'its checklist'
      : r.plan.source === 'deliverables'
        ? 'the deliverables it names'
        : r.plan.source === 'pattern'
          ? `the ${r.plan.pattern} pattern`
          : `the ${r.planner} planner`;
  if (r.existing) {
    const head = `${pc.bold(`#${r.task.id}`)} ${r.task.title} — broken down already into ${r.subtasks.length} subtasks (${pc.yellow('dry run')}, nothing written):`;
    return [head, ...writtenTree(r.task, r.subtasks)].join('\n');
  }
  const head = r.dryRun
    ? `${pc.bold(`#${r.task.id}`)} ${r.task.title} — ${pc.yellow('dry run')}, nothing written; would split by ${how}:`
    : `${pc.bold(`#${r.task.id}`)} ${r.task.title} — broke it into ${r.subtasks.length} subtasks by ${how}:`;
  const lines = [head, ...(r.dryRun ? plannedTree(r.plan.subtasks) : writtenTree(r.task, r.subtasks))];
  if (r.fallbackReason) lines.push(pc.yellow(`note: ${r.fallbackReason}; used the rule planner instead`));
  for (const w of r.warnings) lines.push(pc.yellow(`warning: ${w}`));
  return lines.join('\n');
}

/** `baton add`'s line for a task that was broken down, or flagged as worth breaking down. */
export function formatCreated(task: Task, subtasks: readonly Task[], line: string): string {
  if (subtasks.length > 0) {
    const list = subtasks.map((s) => `#${s.id} ${s.title}`).join(', ');
    const fallback = task.notes.find((n) => n.by === 'baton' && n.text.startsWith('breakdown:'));
    return [
      `created #${task.id} (${task.complexity}) and broke it into ${subtasks.length} subtasks: ${list}`,
      ...(fallback ? [pc.yellow(`note: ${fallback.text}`)] : []),
    ].join('\n');
  }
  const held = task.status === 'paused' ? `\n${pc.yellow(`on hold: no worker claims it until baton resume ${task.id}`)}` : '';
  if (task.complexity === 'complex' || task.complexity === 'epic') {
    return `created ${line}\n${pc.yellow(`${task.complexity}: consider breaking it down: baton breakdown ${task.id}`)}${held}`;
  }
  return `created ${line}${held}`;
}

/** `baton analyze --all`: every open task by score, and what to break down. */
export function formatComplexityReport(r: ComplexityOverview): string {
  if (r.tasks.length === 0) return pc.dim('no open tasks to score');
  const colour = (score: number) => (score >= r.threshold ? pc.red : score >= r.threshold - 2 ? pc.yellow : pc.green);
  const rows = r.tasks.map((t) => [
    colour(t.score)(String(t.score).padStart(2)),
    `#${t.id}`,
    status(t.status),
    t.complexity,
    t.title,
    // The first reason is the deciding one (the estimate, or the text's score).
    pc.dim(t.reasons[0] ?? ''),
  ]);
  const lines = [table(['SCORE', 'ID', 'STATUS', 'COMPLEXITY', 'TITLE', 'WHY'], rows), ''];
  const n = r.toBreakDown.length;
  lines.push(
    n === 0
      ? `none of ${r.tasks.length} open tasks scores ${r.threshold} or more`
      : `${n} of ${r.tasks.length} open tasks score ${r.threshold} or more: break them down with ${pc.bold(`baton breakdown --all --threshold ${r.threshold}`)} (--dry-run to see the plans first)`,
  );
  return lines.join('\n');
}

/** `baton breakdown --all`: what became of each task. */
export function formatBreakdownAll(r: BreakdownAllResult): string {
  if (r.results.length === 0) return pc.dim(`no open task scores ${r.threshold} or more: nothing to break down`);
  const verb = r.dryRun ? 'would split' : 'split';
  return r.results
    .map((x) =>
      x.error
        ? `${pc.red('✗')} #${x.id} ${x.title} (score ${x.score}): ${x.error}`
        : `${pc.green('✓')} #${x.id} ${x.title} (score ${x.score}): ${verb} into ${x.subtasks} subtasks by the ${x.planner} planner`,
    )
    .join('\n');
}

/** `baton plan import`: the tree, numbered as the plan reads (`#N` of a dependency line), with the ids created. */
export function formatPlanImport(r: PlanImport): string {
  const ids = new Map<number, number | null>();
  const index = (list: readonly PlanTaskView[]): void =>
    list.forEach((t) => {
      ids.set(t.ref, t.id);
      index(t.subtasks);
    });
  index(r.tasks);
  const line = (t: PlanTaskView) => {
    const id = t.id !== null ? `${pc.bold(`#${t.id}`)} ` : '';
    const priority = t.priority !== 'normal' ? ` ${t.priority}` : '';
    const ref = (n: number) => (r.dryRun ? `${n}.` : `#${ids.get(n)}`);
    const deps = [...t.dependsOn.map(ref), ...t.dependsOnTasks.map((d) => `task #${d}`)];
    return `${pc.dim(`${t.ref}.`)} ${id}${t.title}  ${estimate(t.estimateMinutes)}  ${caps(t.capabilities)}${priority} ${status(t.status)}${after(deps)}`;
  };
  const total = (list: readonly PlanTaskView[]): number => list.reduce((n, t) => n + 1 + total(t.subtasks), 0);
  const from =
    r.source === 'planner' ? `prose, broken down by the ${r.planner} planner` : r.source === 'json' ? 'JSON' : 'Markdown';
  const head = r.dryRun
    ? `${pc.yellow('dry run')}, nothing written; the plan (${from}) would create ${total(r.tasks)} tasks:`
    : `created ${r.created} tasks from the plan (${from}):`;
  const lines = [head, ...tree(r.tasks, '', line, (t) => t.subtasks)];
  if (r.fallbackReason) lines.push(pc.yellow(`note: ${r.fallbackReason}; used the rule planner instead`));
  for (const w of r.warnings) lines.push(pc.yellow(`warning: ${w}`));
  return lines.join('\n');
}
