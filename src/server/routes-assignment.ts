import { z } from 'zod';
import { bidSchema } from '../core/schemas.js';
import { idParams } from './http-schemas.js';
import { type RouteSpec, route } from './route.js';

/** Assignment strategies: bids in a task's auction, and why a task goes to whom (`core/assignment.ts`). */

const tag = 'assignment';

const bidAnswer = z.strictObject({
  id: z.number(),
  offerId: z.number(),
  taskId: z.number(),
  workerId: z.string(),
  score: z.number(),
  etaSeconds: z.number().nullable(),
  note: z.string().nullable(),
  at: z.string(),
});

const offerAnswer = z.strictObject({
  id: z.number(),
  taskId: z.number(),
  kind: z.enum(['push', 'auction']),
  workerId: z.string().nullable(),
  openedAt: z.string(),
  closesAt: z.string(),
  closedAt: z.string().nullable(),
  outcome: z.string().nullable(),
});

const candidateAnswer = z.strictObject({
  id: z.string(),
  rank: z.number().nullable(),
  eligible: z.boolean(),
  missing: z.array(z.string()),
  unused: z.number(),
  load: z.number(),
  concurrency: z.number(),
  loadShare: z.number(),
  successRate: z.number(),
  meanSeconds: z.number().nullable(),
  reasons: z.array(z.string()),
});

const explanationAnswer = z.strictObject({
  taskId: z.number(),
  mode: z.enum(['pull', 'push', 'hybrid', 'auction']),
  offer: offerAnswer.nullable(),
  candidates: z.array(candidateAnswer),
  bids: z.array(bidAnswer.extend({ load: z.number() })),
});

export const assignmentRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/tasks/:id/bids',
    summary:
      'Bid in a task’s auction (score 0–1, optional etaSeconds and note); refused unless the auction is open to this worker',
    tag,
    access: 'worker',
    params: idParams,
    body: bidSchema,
    response: bidAnswer,
    status: 201,
    actAs: ({ body }) => body.workerId,
    handle: ({ baton, params, body }) => baton.bid(params.id, body),
  }),
  route({
    method: 'GET',
    path: '/tasks/:id/assignment',
    summary: 'Why a task goes (or would go) to whom: its mode, every worker’s score and why, its offer and bids',
    tag,
    access: 'read',
    params: idParams,
    response: explanationAnswer,
    handle: ({ baton, params }) => baton.explainAssignment(params.id),
  }),
];
