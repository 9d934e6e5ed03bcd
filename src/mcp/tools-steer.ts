import type { Task } from '../core/types.js';
import {
  cancelTaskInput,
  LIST_DEFAULT_LIMIT,
  removeDependencyInput,
  searchTasksInput,
  taskRefInput,
  updateTaskInput,
} from './schemas.js';
import { defineTool, READ_ONLY, type Tool, type ToolContext, WRITE } from './tool.js';
import { fitItems, label, summary } from './views.js';

/** Steering the board: change, cancel, hold, resume, retry tasks, drop a dependency, find tasks by text. */

const changed = (verb: string, task: Task) => ({
  summary: `${verb} ${label(task)}: now ${task.status} (version ${task.version})`,
  data: { task: { ...summary(task), version: task.version } },
});

const updateTask = defineTool({
  name: 'update_task',
  title: 'Change a task',
  description:
    'Change fields of a task: title, description, type, priority, capabilities and tags (add/remove), estimate, maxRetries, ' +
    'review, runAfter. Give ifVersion (the version you read) to be refused with version_mismatch if someone changed it meanwhile.',
  input: updateTaskInput,
  annotations: WRITE,
  async run({ id, ifVersion, ...fields }, { baton }: ToolContext) {
    return changed('updated', await baton.updateTask(id, fields, ifVersion !== undefined ? { ifVersion } : {}));
  },
});

const cancelTask = defineTool({
  name: 'cancel_task',
  title: 'Cancel a task',
  description:
    'Cancel a task that has not finished: it will not run, a worker holding it loses its lease, and its open subtasks are ' +
    'cancelled too. Final unless retry_task. Refused (illegal_transition) for a completed, failed or cancelled task.',
  input: cancelTaskInput,
  annotations: { ...WRITE, destructiveHint: true },
  async run(args, { baton }: ToolContext) {
    return changed('cancelled', await baton.cancelTask(args.id, args.reason ? { reason: args.reason } : {}));
  },
});

const pauseTask = defineTool({
  name: 'pause_task',
  title: 'Hold a task',
  description: 'Hold a task: nobody claims it until resume_task (a worker running it stops, and it runs again once resumed).',
  input: taskRefInput,
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    return changed('paused', await baton.pauseTask(args.id));
  },
});

const resumeTask = defineTool({
  name: 'resume_task',
  title: 'Resume a task',
  description: 'Resume a paused task: it is queued again (or blocked while its dependencies are open).',
  input: taskRefInput,
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    return changed('resumed', await baton.resumeTask(args.id));
  },
});

const retryTask = defineTool({
  name: 'retry_task',
  title: 'Retry a task',
  description: 'Requeue a failed, cancelled or skipped task for another attempt. Next: next_task or claim_task to take it.',
  input: taskRefInput,
  annotations: WRITE,
  async run(args, { baton }: ToolContext) {
    return changed('requeued', await baton.retryTask(args.id));
  },
});

const removeDependency = defineTool({
  name: 'remove_dependency',
  title: 'Remove a dependency',
  description: 'Stop a task waiting for another; once nothing it still depends on is open, it is queued.',
  input: removeDependencyInput,
  annotations: { ...WRITE, idempotentHint: false },
  async run(args, { baton }: ToolContext) {
    const task = await baton.removeDependency(
      args.id,
      args.dependsOn,
      args.ifVersion !== undefined ? { ifVersion: args.ifVersion } : {},
    );
    return {
      summary: `${label(task)} no longer depends on #${args.dependsOn}; it is ${task.status}`,
      data: { task: summary(task), dependsOn: task.dependsOn.slice(0, 50), dependsOnCount: task.dependsOn.length },
    };
  },
});

const searchTasks = defineTool({
  name: 'search_tasks',
  title: 'Search tasks',
  description:
    'Find tasks by words of their title or description (each word a prefix, all required), open ones unless all or status say ' +
    'otherwise, in claim order, as short summaries a page at a time (nextOffset for more). Use get_task to read one.',
  input: searchTasksInput,
  annotations: READ_ONLY,
  async run(args, { baton }: ToolContext) {
    const limit = args.limit ?? LIST_DEFAULT_LIMIT;
    const offset = args.offset ?? 0;
    const open = !args.all && args.status === undefined ? true : undefined;
    const page = await baton.listTasks({ q: args.q, status: args.status, open, sort: 'claim', limit, offset });
    const tasks = fitItems(page.tasks.map((t) => summary(t)));
    const end = offset + tasks.length;
    const nextOffset = end < page.total ? end : null;
    return {
      summary: `${page.total} task(s) match "${args.q.slice(0, 80)}"${nextOffset !== null ? `; next page: offset ${nextOffset}` : ''}`,
      data: { total: page.total, offset, nextOffset, tasks },
    };
  },
});

export const STEER_TOOLS: Tool[] = [updateTask, cancelTask, pauseTask, resumeTask, retryTask, removeDependency, searchTasks];
