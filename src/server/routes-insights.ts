import { z } from 'zod';
import { ANALYTICS_RANGES } from '../core/analytics.js';
import { analyticsQuerySchema, taskIdSchema } from '../core/schemas.js';
import { PRIORITIES, TASK_STATUSES } from '../core/types.js';
import { idParams, workerParams, workerViewSchema } from './http-schemas.js';
import { type RouteSpec, route } from './route.js';

/** Views that look back: one worker's record, analytics over a range, an epic's burndown. */

const seconds = z.number().nonnegative().nullable();
const share = z.number().min(0).max(1).nullable();
const status = z.enum(TASK_STATUSES);

const taskBrief = z.strictObject({
  id: taskIdSchema,
  title: z.string(),
  status,
  priority: z.enum(PRIORITIES),
  progress: z.number(),
  attempts: z.number().int().nonnegative(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  runSeconds: seconds,
  lastError: z.string().nullable(),
});

const workerDetail = z.strictObject({
  worker: workerViewSchema,
  current: z.array(taskBrief),
  recent: z.array(taskBrief),
  record: z.strictObject({
    completed: z.number().int(),
    failed: z.number().int(),
    successRate: share,
    medianRunSeconds: seconds,
    sample: z.number().int(),
    limit: z.number().int(),
  }),
});

const group = z.strictObject({
  key: z.string(),
  completed: z.number().int(),
  failed: z.number().int(),
  failureRate: share,
  medianRunSeconds: seconds,
});

const analytics = z.strictObject({
  range: z.enum(ANALYTICS_RANGES),
  from: z.string(),
  to: z.string(),
  bucketSeconds: z.number().int().positive(),
  buckets: z.array(
    z.strictObject({
      at: z.string(),
      completed: z.number().int(),
      failed: z.number().int(),
      medianWaitSeconds: seconds,
      medianRunSeconds: seconds,
    }),
  ),
  totals: z.strictObject({
    completed: z.number().int(),
    failed: z.number().int(),
    failureRate: share,
    medianWaitSeconds: seconds,
    medianRunSeconds: seconds,
    p90RunSeconds: seconds,
  }),
  byCapability: z.array(group),
  byTag: z.array(group),
  byComplexity: z.array(group),
  byWorker: z.array(
    z.strictObject({
      workerId: z.string(),
      completed: z.number().int(),
      failed: z.number().int(),
      busySeconds: z.number().nonnegative(),
      utilisation: share,
    }),
  ),
  epics: z.array(z.strictObject({ id: taskIdSchema, title: z.string(), status, finished: z.number().int() })),
  sample: z.strictObject({ tasks: z.number().int(), limit: z.number().int(), complete: z.boolean() }),
});

const burndown = z.strictObject({
  taskId: taskIdSchema,
  title: z.string(),
  status,
  leaves: z.number().int(),
  done: z.number().int(),
  unestimated: z.number().int(),
  estimateMinutes: z.number().nonnegative(),
  points: z.array(
    z.strictObject({
      at: z.string(),
      remaining: z.number().int(),
      remainingMinutes: z.number(),
      scope: z.number().int(),
    }),
  ),
});

export const insightRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/workers/:id',
    summary: 'One worker: the tasks it holds or is reserved for, its newest finished tasks, its success rate',
    tag: 'workers',
    access: 'read',
    params: workerParams,
    response: workerDetail,
    handle: ({ baton, params }) => baton.showWorker(params.id),
  }),
  route({
    method: 'GET',
    path: '/analytics',
    summary:
      'Finished work over a time range (range=1h, 24h, 7d or 30d): per bucket, totals, and by capability, tag, complexity and worker',
    tag: 'system',
    access: 'read',
    heavy: true,
    query: analyticsQuerySchema,
    response: analytics,
    handle: ({ baton, query }) => baton.analytics(query),
  }),
  route({
    method: 'GET',
    path: '/tasks/:id/burndown',
    summary: "An epic's burndown: its leaves not done, and their estimates, at each moment since it began",
    tag: 'tasks',
    access: 'read',
    heavy: true,
    params: idParams,
    response: burndown,
    handle: ({ baton, params }) => baton.burndown(params.id),
  }),
];
