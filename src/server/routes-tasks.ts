import { basename } from 'node:path';
import { z } from 'zod';
import type { ListQuery } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import {
  analyzeBody,
  assignBody,
  breakdownAllBody,
  breakdownBody,
  bulkResultSchema,
  bulkSchema,
  cancelBody,
  cancelQuery,
  complexityQuery,
  countsQuery,
  createTaskSchema,
  dependenciesBody,
  dependencyParams,
  emptyBody,
  idParams,
  listQuery,
  taskCountsSchema,
  taskPageSchema,
  taskSchema,
  unassignBody,
  updateQuery,
  updateTaskSchema,
} from './http-schemas.js';
import { assertMayReadLogs, mayReadLogs } from './log-access.js';
import { seesPaths } from './redact.js';
import { type RouteSpec, route } from './route.js';

const tag = 'tasks';
const getQuery = z.strictObject({ detail: z.enum(['true', 'false', '1', '0', '']).optional() });
const listQueryCompat = listQuery.extend({ parentId: listQuery.shape.parent });

/** `If-Match: "7"` (or `W/"7"`, or `7`): the version the caller last read. */
function ifMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value ?? '');
  if (!match) throw new BatonError('invalid_argument', 'If-Match: expected a task version such as "7"', { field: 'If-Match' });
  return Number(match[1]);
}

/** The version a change is guarded by: `?ifVersion=` first, else `If-Match`; none when neither. */
function versionGuard(query: number | undefined, header: string | string[] | undefined): { ifVersion?: number } {
  const ifVersion = query ?? ifMatch(header);
  return ifVersion !== undefined ? { ifVersion } : {};
}

/** The filters of steering (text, priority, capability, open) as one listing query gave them. */
function steerFilters(query: z.output<typeof countsQuery>) {
  return {
    ...(query.q !== undefined && { q: query.q }),
    ...(query.priority && { priority: query.priority }),
    ...(query.capability && { capability: query.capability }),
    ...(query.open && { open: true }),
    ...(query.parents !== undefined && { parents: query.parents }),
  };
}

const logQuery = z.strictObject({
  tail: z.coerce.number().int().min(1).max(10_000).optional(),
  attempt: z.coerce.number().int().min(1).optional(),
});
const logResponse = z.object({ taskId: z.number(), attempt: z.number(), path: z.string(), text: z.string() });
const logAttemptsResponse = z.object({ taskId: z.number(), readable: z.boolean(), attempts: z.array(z.number()) });

/** Task CRUD (DELETE cancels) and the admin's actions on one task. */
export const taskRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/tasks/:id/logs',
    summary: "The tail of a task's attempt log, as kept by workers on the server's machine (admins and the task's workers)",
    tag,
    access: 'read',
    params: idParams,
    query: logQuery,
    response: logResponse,
    handle: async ({ baton, params, query, logDir, principal }) => {
      await assertMayReadLogs(baton, principal, await baton.getTask(params.id));
      const { attemptLogs, tailOf } = await import('../app/attempt-logs.js');
      const logs = logDir ? attemptLogs(logDir, params.id) : [];
      const log = query.attempt !== undefined ? logs.find((l) => l.attempt === query.attempt) : logs.at(-1);
      if (!log) {
        throw new BatonError('log_not_found', `task ${params.id}: no attempt log is kept on this server`, { id: params.id });
      }
      const path = seesPaths(principal) ? log.path : basename(log.path);
      return { taskId: params.id, attempt: log.attempt, path, text: tailOf(log.path, query.tail ?? 100) };
    },
  }),
  route({
    method: 'GET',
    path: '/tasks/:id/logs/attempts',
    summary:
      'Which attempts of a task have a log kept on this server: an empty list rather than a 404 when none, and readable: false (no list) for a caller who may not read them',
    tag,
    access: 'read',
    params: idParams,
    response: logAttemptsResponse,
    handle: async ({ baton, params, logDir, principal }) => {
      const task = await baton.getTask(params.id);
      if (!(await mayReadLogs(baton, principal, task))) return { taskId: task.id, readable: false, attempts: [] };
      const { attemptLogs } = await import('../app/attempt-logs.js');
      const logs = logDir ? attemptLogs(logDir, task.id) : [];
      return { taskId: task.id, readable: true, attempts: logs.map((l) => l.attempt) };
    },
  }),
  route({
    method: 'GET',
    path: '/tasks',
    summary:
      'List tasks (filter by status, worker, tag, parent, ready, q, priority, capability, open, parents; sort); at most 1,000 a page, then `cursor: next`',
    tag,
    access: 'read',
    heavy: true,
    query: listQueryCompat,
    response: taskPageSchema,
    handle: ({ baton, query }) => {
      const q: ListQuery = {
        ...(query.status && { status: query.status }),
        ...(query.worker !== undefined && { worker: query.worker }),
        ...(query.tag !== undefined && { tag: query.tag }),
        ...((query.parent ?? query.parentId) !== undefined && { parentId: query.parent ?? query.parentId }),
        ...(query.ids !== undefined && { ids: query.ids }),
        ...(query.parentIds !== undefined && { parentIds: query.parentIds }),
        ...(query.ready && { ready: true }),
        limit: query.limit ?? 100,
        ...(query.offset !== undefined && { offset: query.offset }),
        ...(query.cursor !== undefined && { cursor: query.cursor }),
        ...steerFilters(query),
        ...(query.sort !== undefined && { sort: query.sort }),
      };
      return baton.listTasks(q);
    },
  }),
  route({
    method: 'GET',
    path: '/tasks/counts',
    summary: 'How many tasks a filter selects, per status (the filters of GET /tasks, without paging)',
    tag,
    access: 'read',
    query: countsQuery,
    response: taskCountsSchema,
    handle: ({ baton, query }) =>
      baton.countTasks({
        ...(query.status && { status: query.status }),
        ...(query.worker !== undefined && { worker: query.worker }),
        ...(query.tag !== undefined && { tag: query.tag }),
        ...(query.parent !== undefined && { parentId: query.parent }),
        ...steerFilters(query),
      }),
  }),
  route({
    method: 'POST',
    path: '/tasks/bulk',
    summary:
      'One action (cancel, retry, pause, resume, update priority) on several tasks, by ids or a where filter, in one transaction: all or nothing',
    tag,
    access: 'admin',
    body: bulkSchema,
    response: bulkResultSchema,
    handle: ({ baton, body }) => baton.bulk(body),
  }),
  route({
    method: 'POST',
    path: '/tasks',
    summary: 'Create a task (broken down automatically when it is an epic)',
    tag,
    access: 'admin',
    body: createTaskSchema,
    response: taskSchema,
    status: 201,
    setsCommands: (body) => body.command !== undefined || body.mergeCommand !== undefined,
    handle: ({ baton, body }) => baton.createTask(body),
  }),
  route({
    method: 'GET',
    path: '/tasks/:id',
    summary: 'One task (with ?detail=true: its history, blockers and subtasks)',
    tag,
    access: 'read',
    params: idParams,
    query: getQuery,
    handle: async ({ baton, params, query, reply }) => {
      if (query.detail !== undefined && query.detail !== 'false' && query.detail !== '0') return baton.showTask(params.id);
      const task = await baton.getTask(params.id);
      reply.header('etag', `"${task.version}"`);
      return task;
    },
  }),
  ...(['PATCH', 'PUT'] as const).map((method) =>
    route({
      method,
      path: '/tasks/:id',
      summary: 'Change fields of a task (If-Match or ?ifVersion= guard against lost updates)',
      tag,
      access: 'admin',
      params: idParams,
      query: updateQuery,
      body: updateTaskSchema,
      response: taskSchema,
      // Clearing a command runs nothing.
      setsCommands: (body) => typeof body.command === 'string',
      handle: ({ baton, params, query, body, req }) =>
        baton.updateTask(params.id, body, versionGuard(query.ifVersion, req.headers['if-match'])),
    }),
  ),
  route({
    method: 'DELETE',
    path: '/tasks/:id',
    summary: 'Cancel a task (and its open subtasks)',
    tag,
    access: 'admin',
    params: idParams,
    query: cancelQuery,
    response: taskSchema,
    handle: ({ baton, params, query }) => baton.cancelTask(params.id, query.reason ? { reason: query.reason } : {}),
  }),
  route({
    method: 'POST',
    path: '/tasks/:id/cancel',
    summary: 'Cancel a task, giving a reason',
    tag,
    access: 'admin',
    params: idParams,
    body: cancelBody,
    response: taskSchema,
    handle: ({ baton, params, body }) => baton.cancelTask(params.id, body.reason ? { reason: body.reason } : {}),
  }),
  ...(
    [
      ['retry', 'retryTask', 'Requeue a failed or cancelled task'],
      ['pause', 'pauseTask', 'Hold a task: it is not claimed until resumed'],
      ['resume', 'resumeTask', 'Resume a paused task'],
    ] as const
  ).map(([action, call, summary]) =>
    route({
      method: 'POST',
      path: `/tasks/:id/${action}`,
      summary,
      tag,
      access: 'admin',
      params: idParams,
      body: emptyBody,
      response: taskSchema,
      handle: ({ baton, params }) => baton[call](params.id),
    }),
  ),
  route({
    method: 'POST',
    path: '/tasks/:id/dependencies',
    summary: 'Make a task wait for others to complete (If-Match or ?ifVersion= guard against lost updates)',
    tag,
    access: 'admin',
    params: idParams,
    query: updateQuery,
    body: dependenciesBody,
    response: taskSchema,
    handle: ({ baton, params, query, body, req }) =>
      baton.addDependencies(params.id, body.dependsOn, versionGuard(query.ifVersion, req.headers['if-match'])),
  }),
  route({
    method: 'DELETE',
    path: '/tasks/:id/dependencies/:dep',
    summary: 'Remove a dependency (If-Match or ?ifVersion= guard against lost updates)',
    tag,
    access: 'admin',
    params: dependencyParams,
    query: updateQuery,
    response: taskSchema,
    handle: ({ baton, params, query, req }) =>
      baton.removeDependency(params.id, params.dep, versionGuard(query.ifVersion, req.headers['if-match'])),
  }),
  route({
    method: 'POST',
    path: '/tasks/:id/assign',
    summary: 'Reserve a task for one worker',
    tag,
    access: 'admin',
    params: idParams,
    body: assignBody,
    response: taskSchema,
    handle: ({ baton, params, body }) => baton.assignTask(params.id, body.workerId, { force: body.force }),
  }),
  route({
    method: 'POST',
    path: '/tasks/:id/unassign',
    summary: 'Drop a reservation: the task goes back to the shared queue',
    tag,
    access: 'admin',
    params: idParams,
    body: unassignBody,
    response: taskSchema,
    handle: ({ baton, params, body }) => baton.unassignTask(params.id, body),
  }),
  route({
    method: 'POST',
    path: '/tasks/:id/breakdown',
    summary: 'Break a task into subtasks (dryRun: only the plan)',
    tag,
    access: 'admin',
    params: idParams,
    body: breakdownBody,
    handle: ({ baton, params, body }) => baton.breakdown(params.id, body),
  }),
  route({
    method: 'GET',
    path: '/complexity',
    summary: 'Every open task scored 1–10 with the reasons, and those at the threshold to break down (default 7)',
    tag,
    access: 'read',
    query: complexityQuery,
    handle: ({ baton, query }) => baton.complexityReport(query),
  }),
  route({
    method: 'POST',
    path: '/breakdowns',
    summary: 'Break down every open task scoring at or above the threshold (dryRun: only the plans)',
    tag,
    access: 'admin',
    body: breakdownAllBody,
    handle: ({ baton, body }) => baton.breakdownAll(body),
  }),
  route({
    method: 'GET',
    path: '/tasks/:id/analysis',
    summary: 'Complexity of a task, why, and what to do about it',
    tag,
    access: 'read',
    params: idParams,
    handle: ({ baton, params }) => baton.analyze(params.id),
  }),
  route({
    method: 'POST',
    path: '/analyze',
    summary: 'Complexity of a task not yet created',
    tag,
    access: 'read',
    body: analyzeBody,
    handle: ({ baton, body }) => baton.analyze(body),
  }),
];
