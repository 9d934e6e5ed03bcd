import type { z } from 'zod';
import type { Plan, PlannedSubtask } from '../core/breakdown/types.js';
import { BatonError, invalid, taskNotFound } from '../core/errors.js';
import { checkPlan } from '../core/plan/check.js';
import { flattenPlan, planFromJson } from '../core/plan/document.js';
import { type PlanProblem, PlanSyntaxError, parsePlanMarkdown, readProse } from '../core/plan/markdown.js';
import { settlePlan, tickedButOpen } from '../core/plan/settle.js';
import type { ExportedPlanNode, PlanDocument, PlanNode } from '../core/plan/types.js';
import { isTemplate } from '../core/recurrence.js';
import { exportPlanSchema, importPlanSchema, parseWith } from '../core/schemas.js';
import type { Task } from '../core/types.js';
import { prepareBreakdown } from './breakdown-service.js';
import { type AppContext, writeTasks } from './context.js';
import { writePlanTree } from './plan-write.js';
import type { ExportPlanQuery, ImportPlanInput, PlanImport, PlanTaskView } from './planning-types.js';
import { assertRoom } from './queue-service.js';

/** Plan import (Markdown, JSON, or prose through the planner) and export (README "Plans"). */

/** The most tasks one export reads: past it, export one tree (`root`). */
export const PLAN_EXPORT_LIMIT = 10_000;

export async function importPlan(ctx: AppContext, raw: ImportPlanInput): Promise<PlanImport> {
  const input = parseWith(importPlanSchema, raw);
  const read = await readPlan(ctx, input);
  const problems = checkPlan(read.nodes);
  if (problems.length > 0) throw invalidPlan(problems);
  const named = [...new Set(flattenPlan(read.nodes).flatMap((n) => n.dependsOnTasks))];
  const found = await ctx.store.getTasks(named);
  const missing = named.filter((id) => !found.some((t) => t.id === id));
  if (missing.length > 0) throw taskNotFound(missing[0] as number);
  const settled = settlePlan(read.nodes, new Set(found.filter((t) => t.status === 'completed').map((t) => t.id)));
  const warnings = [
    ...read.warnings,
    ...tickedButOpen(read.nodes, settled).map((n) => `#${n.ref} is ticked but has open subtasks: it completes when they do`),
  ];
  const result = {
    dryRun: input.dryRun ?? false,
    source: read.source,
    planner: read.planner,
    fallbackReason: read.fallbackReason,
  };
  if (input.dryRun) {
    const view = (n: PlanNode): PlanTaskView => ({
      ...nodeView(n),
      id: null,
      status: settled.get(n.ref)?.status ?? 'queued',
      subtasks: n.subtasks.map(view),
    });
    return { ...result, created: 0, tasks: read.nodes.map(view), warnings };
  }
  const written = await writeTasks(ctx, async (tx, writer) => {
    await assertRoom(ctx, tx, input.queue ?? 'default');
    const completed = await tx.getTasks(named);
    if (completed.length !== named.length) throw taskNotFound(named.find((id) => !completed.some((t) => t.id === id)) as number);
    return writePlanTree(ctx, tx, writer, read.nodes, settled, {
      queue: input.queue,
      tags: input.tags,
      hold: input.hold,
      source: read.source,
      planner: read.planner,
    });
  });
  const view = (n: PlanNode): PlanTaskView => {
    const task = written.get(n.ref) as Task;
    return { ...nodeView(n), id: task.id, status: task.status, subtasks: n.subtasks.map(view) };
  };
  return { ...result, created: written.size, tasks: read.nodes.map(view), warnings };
}

interface ReadPlan {
  nodes: PlanNode[];
  source: PlanImport['source'];
  planner: string | null;
  fallbackReason: string | null;
  warnings: string[];
}

async function readPlan(ctx: AppContext, input: z.output<typeof importPlanSchema>): Promise<ReadPlan> {
  const none = { planner: null, fallbackReason: null };
  if (input.plan) {
    const { nodes, problems } = planFromJson(input.plan.tasks);
    if (problems.length > 0) throw invalidPlan(problems);
    return { nodes, source: 'json', warnings: [], ...none };
  }
  const markdown = input.markdown ?? '';
  if (markdown.trim() === '') throw invalid('markdown', 'the plan is empty');
  let parsed: ReturnType<typeof parsePlanMarkdown>;
  try {
    parsed = input.prose ? readProse(markdown) : parsePlanMarkdown(markdown);
  } catch (error) {
    if (error instanceof PlanSyntaxError) throw invalidPlan(error.problems);
    throw error;
  }
  if (parsed.kind === 'structured') return { nodes: parsed.nodes, source: 'markdown', warnings: parsed.warnings, ...none };
  // Prose: one task for the document, broken down by the planner in charge.
  const subject = { title: parsed.title, description: parsed.description.slice(0, 20_000), priority: 'normal' };
  const prepared = await prepareBreakdown(ctx, subject, input.planner);
  const root = planNodes(subject, prepared.plan);
  return {
    nodes: [root],
    source: 'planner',
    planner: prepared.plan.planner,
    fallbackReason: prepared.fallbackReason,
    warnings: [...parsed.warnings, ...prepared.warnings],
  };
}

/** A planner's plan for the whole document as plan nodes: the document, its subtasks below it. */
function planNodes(subject: { title: string; description: string }, plan: Plan): PlanNode {
  let next = 1;
  const root: PlanNode = {
    ref: next++,
    line: 0,
    title: subject.title.slice(0, 200),
    description: subject.description,
    capabilities: [],
    priority: null,
    estimateMinutes: null,
    done: false,
    dependsOn: [],
    dependsOnTasks: [],
    subtasks: [],
  };
  const level = (subtasks: readonly PlannedSubtask[]): PlanNode[] => {
    const nodes = subtasks.map((s) => ({
      ref: next++,
      line: 0,
      title: s.title,
      description: s.description,
      capabilities: s.capabilities,
      priority: null,
      estimateMinutes: s.estimateMinutes,
      done: false,
      dependsOn: [] as number[],
      dependsOnTasks: [],
      subtasks: [] as PlanNode[],
    }));
    subtasks.forEach((s, i) => {
      const node = nodes[i] as PlanNode;
      node.dependsOn = s.dependsOn.map((d) => (nodes[d] as PlanNode).ref);
      node.subtasks = level(s.subtasks);
    });
    return nodes;
  };
  root.subtasks = level(plan.subtasks);
  return root;
}

function nodeView(n: PlanNode): Omit<PlanTaskView, 'id' | 'status' | 'subtasks'> {
  return {
    ref: n.ref,
    title: n.title,
    description: n.description,
    capabilities: n.capabilities,
    priority: n.priority ?? 'normal',
    estimateMinutes: n.estimateMinutes,
    dependsOn: n.dependsOn,
    dependsOnTasks: n.dependsOnTasks,
  };
}

function invalidPlan(problems: PlanProblem[]): BatonError {
  const text = problems
    .slice(0, 5)
    .map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message))
    .join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return new BatonError('invalid_plan', `plan: ${text}${more}`, { problems: problems.slice(0, 100) });
}

// ── export ──────────────────────────────────────────────────────────────

export async function exportPlan(ctx: AppContext, raw: ExportPlanQuery = {}): Promise<PlanDocument> {
  const query = parseWith(exportPlanSchema, raw);
  const keep = (t: Task) => !isTemplate(t) && (query.skipCancelled === false || t.status !== 'cancelled');
  const tasks = query.root !== undefined ? await subtree(ctx, query.root) : await everyTask(ctx);
  const kept = tasks.filter(keep);
  const ids = new Set(kept.map((t) => t.id));
  const children = new Map<number, Task[]>();
  const roots: Task[] = [];
  for (const t of kept) {
    if (t.parentId !== null && ids.has(t.parentId) && t.id !== query.root) {
      const list = children.get(t.parentId) ?? [];
      list.push(t);
      children.set(t.parentId, list);
    } else roots.push(t);
  }
  // Refs are reading-order numbers, as `plan import` reads them.
  const order: Task[] = [];
  const walk = (t: Task) => {
    order.push(t);
    for (const c of children.get(t.id) ?? []) walk(c);
  };
  for (const r of roots) walk(r);
  const refOf = new Map(order.map((t, i) => [t.id, i + 1]));
  const node = (t: Task): ExportedPlanNode => {
    const below = new Set((children.get(t.id) ?? []).map((c) => c.id));
    const deps = t.dependsOn.filter((d) => !below.has(d));
    return {
      id: t.id,
      ref: refOf.get(t.id) as number,
      title: t.title,
      description: t.description,
      capabilities: t.capabilities,
      priority: t.priority,
      estimateMinutes: t.estimateMinutes,
      done: t.status === 'completed',
      status: t.status,
      progress: t.progress,
      dependsOn: deps.filter((d) => refOf.has(d)).map((d) => refOf.get(d) as number),
      dependsOnTasks: deps.filter((d) => !refOf.has(d)),
      subtasks: (children.get(t.id) ?? []).map(node),
    };
  };
  return { version: 1, tasks: roots.map(node) };
}

async function subtree(ctx: AppContext, root: number): Promise<Task[]> {
  const top = await ctx.store.getTask(root);
  if (!top) throw taskNotFound(root);
  const out = [top];
  for (let i = 0; i < out.length; i++) {
    if (out.length > PLAN_EXPORT_LIMIT) throw tooBig();
    out.push(...(await ctx.store.listTasks({ parentId: (out[i] as Task).id, limit: PLAN_EXPORT_LIMIT + 1 })));
  }
  return out;
}

async function everyTask(ctx: AppContext): Promise<Task[]> {
  const out: Task[] = [];
  for (;;) {
    const page = await ctx.store.listTasks({ afterId: out.at(-1)?.id, limit: 1000 });
    out.push(...page);
    if (out.length > PLAN_EXPORT_LIMIT) throw tooBig();
    if (page.length < 1000) return out;
  }
}

const tooBig = () =>
  invalid('root', `the plan holds more than ${PLAN_EXPORT_LIMIT} tasks: export one tree at a time (root: a task id)`);
