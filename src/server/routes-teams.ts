import { z } from 'zod';
import { contributeSchema, teamSchema } from '../core/schemas.js';
import { idParams, taskSchema } from './http-schemas.js';
import { type RouteSpec, route } from './route.js';

/** Teams, collaborators' writes and the workload view. */

const tag = 'teams';

export const workerLoadSchema = z.strictObject({
  id: z.string(),
  online: z.boolean(),
  health: z.enum(['busy', 'idle', 'offline']),
  capabilities: z.array(z.string()),
  running: z.number().int(),
  reserved: z.number().int(),
  donePerHour: z.number().int(),
  successRate: z.number().nullable(),
  demand: z.number().int(),
  teams: z.array(z.string()),
});

const teamSchemaOut = z.strictObject({
  name: z.string(),
  members: z.array(z.string()),
  leader: z.string().nullable(),
  createdAt: z.string(),
});

export const teamRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/teams',
    summary: 'Create a team (or replace its members and leader); every member must be a registered worker',
    tag,
    access: 'admin',
    body: teamSchema,
    response: teamSchemaOut,
    handle: ({ baton, body }) => baton.addTeam(body),
  }),
  route({
    method: 'GET',
    path: '/teams',
    summary: 'Every team with the load of each member',
    tag,
    access: 'read',
    response: z.strictObject({ teams: z.array(teamSchemaOut.extend({ load: z.array(workerLoadSchema) })) }),
    handle: async ({ baton }) => ({ teams: await baton.listTeams() }),
  }),
  route({
    method: 'GET',
    path: '/workers/load',
    summary: 'Per worker: running, reserved, done in the last hour, success rate (24 h), and the ready work it could serve',
    tag,
    access: 'read',
    response: z.strictObject({ workers: z.array(workerLoadSchema) }),
    handle: async ({ baton }) => ({ workers: await baton.workerLoad() }),
  }),
  route({
    method: 'POST',
    path: '/tasks/:id/contributions',
    summary: "A collaborator's note, progress step or artifacts on a task another worker holds (recorded as the collaborator's)",
    tag,
    access: 'worker',
    params: idParams,
    body: contributeSchema,
    response: taskSchema,
    actAs: ({ body }) => body.workerId,
    handle: ({ baton, params, body }) => baton.contribute(params.id, body),
  }),
];
