import { z } from 'zod';
import { approveStepSchema, runIdSchema, runQuerySchema, startRunSchema } from '../core/schemas.js';
import { RUN_STATUSES, STEP_STATUSES } from '../core/workflow/run.js';
import { type RouteSpec, route } from './route.js';

const tag = 'workflows';

const stepSchema = z.strictObject({
  id: z.string(),
  status: z.enum(STEP_STATUSES),
  taskIds: z.array(z.number()),
  items: z.array(z.unknown()).nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  waitUntil: z.string().nullable(),
  /** A `wait: { event }` step: it waits for an event after this id. */
  eventAfter: z.number().nullable().optional(),
  decision: z
    .strictObject({
      approved: z.boolean(),
      by: z.string().nullable(),
      role: z.string(),
      comment: z.string().nullable(),
      at: z.string(),
    })
    .nullable()
    .optional(),
});

const runFields = {
  id: z.number(),
  workflow: z.string(),
  version: z.number(),
  params: z.record(z.string(), z.unknown()),
  status: z.enum(RUN_STATUSES),
  parentTaskId: z.number().nullable(),
  steps: z.array(stepSchema),
  error: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  revision: z.number(),
};
const runSchema = z.strictObject(runFields);
const detailSchema = z.strictObject({
  ...runFields,
  tasks: z.array(
    z.strictObject({
      id: z.number(),
      step: z.string(),
      index: z.number(),
      title: z.string(),
      status: z.string(),
      attempts: z.number(),
      /** A sub-workflow step's task stands for this run. */
      run: z.number().optional(),
    }),
  ),
});
const idParams = z.strictObject({ id: runIdSchema });

/** Workflow runs: start, list, read, cancel (the same roles as tasks). */
export const runRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/workflows/:name/runs',
    summary: 'Start a run of a workflow (its latest version unless `version`) with `params`; its first steps start at once',
    tag,
    access: 'admin',
    params: startRunSchema.pick({ name: true }),
    body: startRunSchema.omit({ name: true }),
    response: detailSchema,
    handle: async ({ baton, params, body, reply }) => {
      const run = await baton.startRun(params.name, {
        ...(body.params !== undefined && { params: body.params }),
        ...(body.version !== undefined && { version: body.version }),
      });
      reply.code(201);
      return run;
    },
  }),
  route({
    method: 'GET',
    path: '/runs',
    summary: 'Workflow runs, newest first (`?name=` one workflow, `?status=` one state)',
    tag,
    access: 'read',
    query: runQuerySchema,
    response: z.strictObject({ runs: z.array(runSchema) }),
    handle: async ({ baton, query }) => ({ runs: await baton.listRuns(query) }),
  }),
  route({
    method: 'GET',
    path: '/runs/:id',
    summary: 'One workflow run: each step with its state, times and tasks',
    tag,
    access: 'read',
    params: idParams,
    response: detailSchema,
    handle: ({ baton, params }) => baton.getRun(params.id),
  }),
  route({
    method: 'POST',
    path: '/runs/:id/cancel',
    summary: 'Cancel a running workflow run: its unfinished steps and their open tasks',
    tag,
    access: 'admin',
    params: idParams,
    body: z.strictObject({ reason: z.string().max(2_000).optional() }),
    response: detailSchema,
    handle: ({ baton, params, body }) => baton.cancelRun(params.id, body.reason === undefined ? {} : { reason: body.reason }),
  }),
  route({
    method: 'POST',
    path: '/runs/:id/steps/:step/approve',
    summary:
      "Approve (or with `reject: true`, reject) a run's approval step; the caller's key role must be one of the step's `by` roles",
    tag,
    // Any key may ask; the step's `by` decides who may answer.
    access: 'read',
    params: z.strictObject({ id: runIdSchema, step: approveStepSchema.shape.step }),
    body: approveStepSchema.pick({ reject: true, comment: true }),
    response: detailSchema,
    handle: ({ baton, params, body, principal }) =>
      baton.approveStep(params.id, params.step, {
        ...(body.reject !== undefined && { reject: body.reject }),
        ...(body.comment !== undefined && { comment: body.comment }),
        role: principal.role,
      }),
  }),
];
