import { z } from 'zod';
import { pauseSchema } from '../core/queues.js';
import { type RouteSpec, route } from './route.js';

/** System pauses and named queues. */

const tag = 'queues';

const retrySchema = z.strictObject({
  policy: z.string(),
  baseSeconds: z.number(),
  maxSeconds: z.number(),
  jitter: z.number(),
});

const queueSchema = z.strictObject({
  name: z.string(),
  depth: z.number().int(),
  executing: z.number().int(),
  waiting: z.number().int(),
  oldestReadyAt: z.string().nullable(),
  oldestWaitSeconds: z.number().nullable(),
  slaBreaches: z.number().int(),
  paused: z.boolean(),
  settings: z
    .strictObject({
      maxSize: z.number().int().nullable(),
      maxExecuting: z.number().int().nullable(),
      timeoutSeconds: z.number().nullable(),
      maxRetries: z.number().int().nullable(),
      retry: retrySchema.nullable(),
      priorityBoost: z.number().int(),
    })
    .nullable(),
});

export const queuesReportSchema = z.strictObject({
  paused: z.boolean(),
  pauses: z.array(z.strictObject({ queue: z.string().nullable(), pausedAt: z.string(), pausedBy: z.string().nullable() })),
  maxExecuting: z.number().int().nullable(),
  executing: z.number().int(),
  queues: z.array(queueSchema),
  at: z.string(),
});

export const queueRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/queues',
    summary: 'Named queues: ready depth, executing, oldest wait, SLA breaches, settings; the pauses and the store-wide cap',
    tag,
    access: 'read',
    response: queuesReportSchema,
    handle: ({ baton }) => baton.queues(),
  }),
  route({
    method: 'POST',
    path: '/system/pause',
    summary:
      'Pause claims of every queue, or of one (queue): workers get nothing until resumed; tasks executing keep running and may finish',
    tag,
    access: 'admin',
    body: pauseSchema,
    response: queuesReportSchema,
    handle: ({ baton, body }) => baton.pauseClaims(body),
  }),
  route({
    method: 'POST',
    path: '/system/resume',
    summary: "Resume claims of every queue, or of one (queue); a queue's own pause outlasts the system's resume",
    tag,
    access: 'admin',
    body: pauseSchema,
    response: queuesReportSchema,
    handle: ({ baton, body }) => baton.resumeClaims(body),
  }),
];
