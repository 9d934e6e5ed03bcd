import { eventSchema, taskSchema, workerViewSchema } from '../http-schemas.js';
import type { RouteSpec } from '../route.js';
import { MUTATION_NAMES, type Operation, operationsOf, QUERY_NAMES } from './operations.js';
import { GraphqlTypes, namedSchemas } from './zod-types.js';

/** Fields of `Task` beyond its record: its relations, each read in one batch per request. */
export const TASK_RELATIONS = `extend type Task {
  """The tasks this one waits for."""
  dependencies: [Task!]!
  """Its subtasks, in id order."""
  subtasks: [Task!]!
  """The task it was broken out of."""
  parent: Task
  """Its history, oldest first (at most \`limit\`, the newest ones)."""
  events(limit: Int = 50): [Event!]!
  """The worker holding or reserved for it."""
  worker: Worker
}`;

const SUBSCRIPTIONS = `type Subscription {
  """Every change to tasks, as the event stream (/api/v1/events) sends it; resume with \`after\`."""
  taskEvents(taskId: SafeInt, types: [String!], after: SafeInt): Event!
  """The changes of one workflow run: its own events and its tasks'."""
  runEvents(runId: SafeInt!, types: [String!], after: SafeInt): Event!
}`;

const SCALARS = `"""Any JSON value (checked by the same schemas as the REST API when it is an input)."""
scalar JSON
"""A whole number up to 2^53 - 1 (task ids, counters, sort keys)."""
scalar SafeInt`;

export interface GraphqlSchema {
  sdl: string;
  queries: Operation[];
  mutations: Operation[];
}

/** The whole schema, written from the routes and their zod schemas. */
export function buildSchema(routes: readonly RouteSpec[]): GraphqlSchema {
  namedSchemas.add(taskSchema, { id: 'Task' });
  namedSchemas.add(workerViewSchema, { id: 'Worker' });
  namedSchemas.add(eventSchema, { id: 'Event' });
  const types = new GraphqlTypes();
  types.outputType('Task', taskSchema);
  types.outputType('Worker', workerViewSchema);
  types.outputType('Event', eventSchema);
  const queries = operationsOf(routes, QUERY_NAMES, types, 'query');
  const mutations = operationsOf(routes, MUTATION_NAMES, types, 'mutation');
  const taskQuery = '  """One task."""\n  task(id: SafeInt!): Task';
  const sdl = [
    SCALARS,
    types.sdl(),
    TASK_RELATIONS,
    `type Query {\n${taskQuery}\n${queries.map((q) => q.field).join('\n')}\n}`,
    `type Mutation {\n${mutations.map((m) => m.field).join('\n')}\n}`,
    SUBSCRIPTIONS,
  ].join('\n\n');
  return { sdl, queries, mutations };
}
