import { z } from 'zod';
import { workflowRefSchema, workflowSourceSchema } from '../core/schemas.js';
import { type RouteSpec, route } from './route.js';

const tag = 'workflows';

const problemSchema = z.strictObject({
  file: z.string(),
  line: z.number(),
  column: z.number(),
  path: z.string(),
  message: z.string(),
});

const summarySchema = z.strictObject({
  name: z.string(),
  version: z.number(),
  description: z.string().nullable(),
  steps: z.number(),
  triggers: z.number(),
  nextRunAt: z.string().nullable(),
  lastTriggeredRun: z.number().nullable(),
  lastTriggeredAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});

const recordSchema = z.strictObject({
  name: z.string(),
  version: z.number(),
  description: z.string().nullable(),
  definition: z.record(z.string(), z.unknown()),
  source: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});

/** Workflow definitions: validate, register, list, read. */
export const workflowRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/workflows/validate',
    summary: 'Check a workflow definition (YAML or JSON text in `source`): every problem with its line and column',
    tag,
    access: 'read',
    body: workflowSourceSchema,
    response: z.strictObject({
      valid: z.boolean(),
      definition: z.record(z.string(), z.unknown()).nullable(),
      problems: z.array(problemSchema),
    }),
    handle: ({ baton, body }) => baton.validateWorkflow(body.source, body.file === undefined ? {} : { file: body.file }),
  }),
  route({
    method: 'POST',
    path: '/workflows',
    summary:
      'Register a workflow definition (YAML or JSON text in `source`): a new name is version 1, a changed definition the next version, the same one is left as it is (`created: false`)',
    tag,
    access: 'admin',
    body: workflowSourceSchema,
    response: z.strictObject({ workflow: recordSchema, created: z.boolean() }),
    handle: async ({ baton, body, reply }) => {
      const added = await baton.addWorkflow(body.source, body.file === undefined ? {} : { file: body.file });
      reply.code(added.created ? 201 : 200);
      return added;
    },
  }),
  route({
    method: 'GET',
    path: '/workflows',
    summary: 'Registered workflows: the latest version of each, by name',
    tag,
    access: 'read',
    response: z.strictObject({ workflows: z.array(summarySchema) }),
    handle: async ({ baton }) => ({ workflows: await baton.listWorkflows() }),
  }),
  route({
    method: 'GET',
    path: '/workflows/:name',
    summary: 'One workflow definition with its source (the latest version, or `?version=N`)',
    tag,
    access: 'read',
    params: workflowRefSchema.pick({ name: true }),
    query: workflowRefSchema.pick({ version: true }),
    response: recordSchema,
    handle: ({ baton, params, query }) =>
      baton.getWorkflow(params.name, query.version === undefined ? {} : { version: query.version }),
  }),
];
