import type { BreakdownResult, ListQuery } from '../app/baton.js';
import type { PlannedSubtask } from '../core/breakdown/types.js';
import {
  addDependencyInput,
  breakdownTaskInput,
  createTaskInput,
  getTaskInput,
  LIST_DEFAULT_LIMIT,
  listTasksInput,
  noInput,
} from './schemas.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext, WRITE } from './tool.js';
import { STATUS_MEANINGS } from './tools-work.js';
import { clip, fieldChunk, fieldText, fitItems, label, summary, taskView } from './views.js';

/** Reading and shaping the board: tasks, their breakdown and dependencies, the whole system. */

const getTask = defineTool({
  name: 'get_task',
  title: 'Read a task',
  description:
    'Read one task: its fields, notes, review, lease, what blocks it, its subtasks and its recent history. Long fields are cut ' +
    'to save tokens and listed under "truncated"; read one in full, page by page, with field (and offset from nextOffset). ' +
    STATUS_MEANINGS,
  input: getTaskInput,
  annotations: READ_ONLY,
  async run(args, { baton }: ToolContext) {
    const { task, ...detail } = await baton.showTask(args.id);
    if (!args.field) return { summary: `${label(task)} is ${task.status} at ${task.progress}%`, data: taskView(task, detail) };
    const chunk = fieldChunk(fieldText(args.field, task, detail), args.offset ?? 0);
    const more = chunk.nextOffset !== null ? `; more from offset ${chunk.nextOffset}` : '';
    return {
      summary: `${args.field} of ${label(task)}: characters ${chunk.offset}–${chunk.offset + chunk.text.length} of ${chunk.total}${more}`,
      data: { id: task.id, field: args.field, ...chunk },
    };
  },
});

const listTasks = defineTool({
  name: 'list_tasks',
  title: 'List tasks',
  description:
    'List tasks as short summaries (id, title, status, priority, assignee, progress), a page at a time ' +
    `(default ${LIST_DEFAULT_LIMIT}; use nextOffset for the next page), open tasks in claim order unless all, status or sort say ` +
    'otherwise. Filter by status, assignee, mine, tag, parentId, ready, priority, capability or q (words of the title or description). ' +
    `Use get_task for one task in full. ${STATUS_MEANINGS}`,
  input: listTasksInput,
  annotations: READ_ONLY,
  async run(args, { baton, session }: ToolContext) {
    const limit = args.limit ?? LIST_DEFAULT_LIMIT;
    const offset = args.offset ?? 0;
    const query: ListQuery = {
      status: args.status,
      worker: args.mine ? session.workerId : args.assignee,
      tag: args.tag,
      parentId: args.parentId,
      ready: args.ready,
      priority: args.priority,
      capability: args.capability,
      q: args.q,
      open: !args.all && args.status === undefined ? true : undefined,
      sort: args.sort ?? 'claim',
      limit,
      offset,
    };
    const page = await baton.listTasks(query);
    const tasks = fitItems(page.tasks.map((t) => summary(t)));
    const end = offset + tasks.length;
    const nextOffset = end < page.total ? end : null;
    const range = tasks.length > 0 ? `${offset + 1}–${end} of ${page.total}` : `none of ${page.total}`;
    return {
      summary: `tasks ${range}${nextOffset !== null ? `; next page: offset ${nextOffset}` : ''}`,
      data: { total: page.total, offset, nextOffset, tasks },
    };
  },
});

const createTask = defineTool({
  name: 'create_task',
  title: 'Create a task',
  description:
    'Add a task to the board. It is queued (claimable) at once, or blocked until the tasks in dependsOn complete. ' +
    'A big piece of work (an estimate over 24 h, or text that says so) is broken down automatically into subtasks that ' +
    'agents claim in parallel, and the parent completes when they all do; noBreakdown opts out; hold creates it paused, ' +
    'unclaimed until resume_task (edit or break it down first). Give capabilities so that ' +
    'only agents able to do it claim it, resources ("db-migrations" or "db-migrations:2") so that at most that many tasks ' +
    'holding one run at once, and an estimate ("4h30m") to size it. runAfter ("10m", "2h" or an ISO time) keeps it ' +
    'from being claimed before then; every (a cron expression, with timezone) makes it recurring: a template that is never ' +
    'claimed and creates one task per fire time. team keeps it to the members of that team (list_teams); collaborators may ' +
    'contribute while another holds it; swarm N runs N attempts by different agents, merged by merge (all, first, vote); ' +
    "inputFrom (a task it depends on) makes that task's result its input. Next: next_task to start on it, or breakdown_task.",
  input: createTaskInput,
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    const task = await baton.createTask(args);
    const subtasks = await baton.listTasks({ parentId: task.id, limit: LIST_DEFAULT_LIMIT });
    const items = fitItems(
      subtasks.tasks.map((t) => summary(t, 80)),
      5000,
    );
    let line = `created ${label(task)} (${task.status}, ${task.complexity})`;
    const rec = task.recurrence;
    if (rec) line += `: recurring every "${rec.every}"; occurrence #${rec.occurrenceId} is scheduled for ${rec.fireAt}`;
    else if (task.runAfter) line += `, scheduled for ${task.runAfter}`;
    if (task.status === 'paused') line += `, on hold: nobody claims it until resume_task {"id": ${task.id}}`;
    if (subtasks.total > 0) line += `, broken down into ${subtasks.total} subtasks: agents claim those, not the parent`;
    else if (task.complexity === 'complex' || task.complexity === 'epic') line += '; consider breakdown_task';
    return {
      summary: line,
      data: {
        task: {
          ...summary(task),
          complexity: task.complexity,
          estimateMinutes: task.estimateMinutes,
          dependsOn: task.dependsOn.slice(0, 20),
          ...(task.resources.length > 0 && { resources: task.resources }),
          runAfter: task.runAfter,
          recurrence: task.recurrence,
          ...(task.team && { team: task.team }),
          ...(task.collaborators.length > 0 && { collaborators: task.collaborators }),
          ...(task.swarm && { swarm: task.swarm }),
          ...(task.inputFrom !== null && { inputFrom: task.inputFrom }),
        },
        subtasks: { total: subtasks.total, shown: items },
      },
    };
  },
});

const breakdownTask = defineTool({
  name: 'breakdown_task',
  title: 'Break a task down',
  description:
    'Split a task nobody has started (queued, assigned or blocked) into subtasks with dependencies between them, by the ' +
    'planner (rules: the checklist in its description, else one subtask per deliverable it names, else the pattern of ' +
    'its kind of work). The task becomes their parent: ' +
    'executing without a lease, following their progress, completed when they all are. dryRun shows the plan and creates ' +
    'nothing; on a task split already it shows the subtasks written then. Next: next_task claims the subtasks.',
  input: breakdownTaskInput,
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    const result = await baton.breakdown(args.id, { dryRun: args.dryRun, planner: args.planner });
    const common = {
      planner: result.planner,
      fallbackReason: result.fallbackReason && clip(result.fallbackReason, 300),
      warnings: result.warnings.slice(0, 3).map((w) => clip(w, 200)),
    };
    if (result.existing) {
      const shown = written(result, common);
      return {
        summary: `${label(result.task)} was broken down already into ${result.subtasks.length} subtasks; nothing created`,
        data: { ...shown.data, dryRun: true, existing: true },
      };
    }
    if (result.dryRun) {
      const steps = outline(result.plan.subtasks);
      const shown = fitItems(steps, 5000);
      return {
        summary: `plan for ${label(result.task)}: ${steps.length} subtasks (${result.plan.source}${result.plan.pattern ? ` ${result.plan.pattern}` : ''}); nothing created`,
        data: { ...common, dryRun: true, total: steps.length, steps: shown },
      };
    }
    return written(result, common);
  },
});

function written(result: BreakdownResult, common: Record<string, unknown>) {
  const shown = fitItems(
    result.subtasks.map((t) => ({ ...summary(t, 80), parentId: t.parentId, dependsOn: t.dependsOn.slice(0, 10) })),
    5000,
  );
  return {
    summary: `broke ${label(result.task)} into ${result.subtasks.length} subtasks; it now follows them`,
    data: { ...common, dryRun: false, task: summary(result.task), total: result.subtasks.length, subtasks: shown },
  };
}

/** A plan as a numbered outline (1, 1.2, …) with each step's dependencies by number. */
function outline(subtasks: readonly PlannedSubtask[], prefix = ''): Record<string, unknown>[] {
  return subtasks.flatMap((s, i) => {
    const n = `${prefix}${i + 1}`;
    const step = {
      n,
      title: clip(s.title, 100),
      estimateMinutes: s.estimateMinutes,
      capabilities: s.capabilities.slice(0, 5),
      after: s.dependsOn.map((d) => `${prefix}${d + 1}`),
    };
    return [step, ...outline(s.subtasks, `${n}.`)];
  });
}

const addDependency = defineTool({
  name: 'add_dependency',
  title: 'Add dependencies',
  description:
    'Make a task wait for others (finish-to-start): it is blocked until every task in dependsOn is completed, then queued by ' +
    'itself. A conditional dependency ({ id, if }) runs the task only if that dependency completed and the condition is true; ' +
    'otherwise the task is skipped (final), and so are tasks that depend on it. A dependency that would close a cycle is refused, naming the cycle.',
  input: addDependencyInput,
  annotations: { ...WRITE, idempotentHint: true },
  async run(args, { baton }: ToolContext) {
    const task = await baton.addDependencies(
      args.id,
      args.dependsOn,
      args.ifVersion !== undefined ? { ifVersion: args.ifVersion } : {},
    );
    return {
      summary: `${label(task)} now depends on ${task.dependsOn.length} task(s) and is ${task.status}`,
      data: { task: summary(task), dependsOn: task.dependsOn.slice(0, 50), dependsOnCount: task.dependsOn.length },
    };
  },
});

const systemStatus = defineTool({
  name: 'system_status',
  title: 'Board status',
  description:
    'Counts of tasks by status, how many are ready to claim (by priority), workers online, busy and idle (and how many have their circuit breaker open), throughput, ' +
    'whether claims are paused (pauses: of the whole system, or of a queue), work nobody is taking and why (stuck: capabilities no online worker has, reservations for offline workers, retry backoffs), and ' +
    `who you are here (worker id, capabilities, tasks you hold). ${STATUS_MEANINGS}`,
  input: noInput,
  annotations: READ_ONLY,
  async run(_args, { baton, session }: ToolContext) {
    const status = await baton.status();
    const you = { workerId: session.workerId, capabilities: session.capabilities ?? null, held: session.heldIds };
    const stuck = status.stuck?.messages.length ? `; stuck: ${status.stuck.messages.join('; ')}` : '';
    const paused = status.pauses.map((p) => (p.queue === null ? 'ALL CLAIMS PAUSED; ' : `queue ${p.queue} paused; `)).join('');
    const open = status.workers.breakersOpen;
    const breakers = open > 0 ? `; ${open} with the circuit breaker open (failing; paused)` : '';
    return {
      summary: `${paused}${status.tasks.total} tasks, ${status.queueDepth} ready; ${status.workers.online} workers online (${status.workers.busy} busy)${breakers}${stuck}`,
      data: { ...status, you },
    };
  },
});

const listResources = defineTool({
  name: 'list_resources',
  title: 'Resources',
  description:
    'Resources tasks hold while executing (a database, a deploy target): for each, its capacity (how many tasks holding it ' +
    'may execute at once), the executing tasks holding it, and how many ready tasks wait for it.',
  input: noInput,
  annotations: READ_ONLY,
  async run(_args, { baton }: ToolContext) {
    const resources = await baton.listResources();
    const line = (r: (typeof resources)[number]) => `${r.name} ${r.holders.length}/${r.capacity} (${r.waiting} waiting)`;
    return {
      summary: resources.length === 0 ? 'no resources' : resources.slice(0, 20).map(line).join('; '),
      data: { resources: resources.slice(0, 100), total: resources.length },
    };
  },
});

export const BOARD_TOOLS: Tool[] = [getTask, listTasks, createTask, breakdownTask, addDependency, systemStatus, listResources];
