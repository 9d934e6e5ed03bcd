import type { RouteSpec } from '../route.js';
import { capital, type GraphqlTypes } from './zod-types.js';

/**
 * Every REST write, by the name of its mutation. Two routes of one call (PATCH and PUT of a task;
 * DELETE and POST …/cancel) share one. A write missing here stops the server from starting, so
 * the GraphQL API can never fall behind the REST one.
 */
export const MUTATION_NAMES: Readonly<Record<string, string>> = {
  'POST /tasks/bulk': 'bulkTasks',
  'POST /tasks': 'createTask',
  'PATCH /tasks/:id': 'updateTask',
  'PUT /tasks/:id': 'updateTask',
  'POST /tasks/:id/cancel': 'cancelTask',
  'DELETE /tasks/:id': 'cancelTask',
  'POST /tasks/:id/retry': 'retryTask',
  'POST /tasks/:id/pause': 'pauseTask',
  'POST /tasks/:id/resume': 'resumeTask',
  'POST /tasks/:id/dependencies': 'addDependencies',
  'DELETE /tasks/:id/dependencies/:dep': 'removeDependency',
  'POST /tasks/:id/assign': 'assignTask',
  'POST /tasks/:id/unassign': 'unassignTask',
  'POST /tasks/:id/breakdown': 'breakdownTask',
  'POST /breakdowns': 'breakdownAll',
  'POST /analyze': 'analyze',
  'POST /claims': 'claim',
  'POST /tasks/:id/claim': 'claimTask',
  'POST /tasks/:id/heartbeat': 'heartbeat',
  'POST /tasks/:id/progress': 'reportProgress',
  'POST /tasks/:id/complete': 'complete',
  'POST /completions': 'completeMany',
  'POST /tasks/:id/fail': 'fail',
  'POST /tasks/:id/release': 'release',
  'POST /tasks/:id/notes': 'addNote',
  'POST /tasks/:id/logs': 'appendAttemptLog',
  'POST /tasks/:id/review': 'review',
  'POST /leases/expire': 'expireLeases',
  'POST /workers': 'registerWorker',
  'POST /workers/:id/heartbeat': 'heartbeatWorker',
  'DELETE /workers/:id': 'unregisterWorker',
  'POST /workflows/validate': 'validateWorkflow',
  'POST /workflows': 'addWorkflow',
  'PUT /resources/:name': 'setResource',
  'POST /system/pause': 'pauseSystem',
  'POST /system/resume': 'resumeSystem',
  'POST /workflows/:name/runs': 'startRun',
  'POST /runs/:id/cancel': 'cancelRun',
  'POST /runs/:id/steps/:step/approve': 'approveStep',
  'POST /backups': 'backup',
  'POST /restore': 'restore',
  'POST /gc': 'collectGarbage',
  'POST /webhooks': 'addWebhook',
  'DELETE /webhooks/:id': 'removeWebhook',
  'POST /webhooks/:id/enable': 'enableWebhook',
  'PUT /fleet': 'reportFleet',
  'POST /keys': 'createKey',
  'DELETE /keys/:keyId': 'revokeKey',
  'POST /import': 'importData',
  'POST /plans': 'importPlan',
  'POST /tasks/:id/bids': 'bidTask',
  'POST /github/import': 'importGithub',
  'POST /github/sync': 'syncGithub',
  'POST /teams': 'addTeam',
  'POST /tasks/:id/contributions': 'contribute',
};

/**
 * REST writes that are not mutations: an inbound hook's credential is the signature over the exact
 * bytes its sender posted, which a GraphQL request cannot carry.
 */
export const NOT_MUTATIONS = new Set(['POST /hooks/:name']);

/** The reads offered as queries, each the same call as its REST route (`task` is written by hand). */
export const QUERY_NAMES: Readonly<Record<string, string>> = {
  'GET /tasks': 'tasks',
  'GET /tasks/counts': 'taskCounts',
  'GET /workers': 'workers',
  'GET /workers/:id': 'worker',
  'GET /status': 'status',
  'GET /queues': 'queues',
  'GET /resources': 'resources',
  'GET /workflows': 'workflows',
  'GET /workflows/:name': 'workflow',
  'GET /runs': 'runs',
  'GET /runs/:id': 'run',
  'GET /events/history': 'events',
  'GET /whoami': 'whoami',
  'GET /tasks/:id/assignment': 'assignment',
  'GET /complexity': 'complexityReport',
  'GET /teams': 'teams',
  'GET /workers/load': 'workerLoad',
};

/** One query or mutation: its SDL field and the route it calls. */
export interface Operation {
  name: string;
  spec: RouteSpec;
  field: string;
  /** Argument names that are path parameters, and query parameters, of the route. */
  params: readonly string[];
  query: readonly string[];
}

/** The operations of one kind, from the routes, in the order of the table. */
export function operationsOf(
  routes: readonly RouteSpec[],
  names: Readonly<Record<string, string>>,
  types: GraphqlTypes,
  kind: 'query' | 'mutation',
): Operation[] {
  const out = new Map<string, Operation>();
  for (const spec of routes) {
    const key = `${spec.method} ${spec.path}`;
    const name = names[key];
    if (kind === 'mutation' && spec.method !== 'GET' && name === undefined && !NOT_MUTATIONS.has(key)) {
      throw new Error(`the REST write ${key} has no GraphQL mutation: name it in MUTATION_NAMES`);
    }
    if (name === undefined || out.has(name)) continue;
    out.set(name, operationOf(name, spec, types, kind));
  }
  return [...out.values()];
}

function operationOf(name: string, spec: RouteSpec, types: GraphqlTypes, kind: 'query' | 'mutation'): Operation {
  const args = [...types.argsOf(capital(name), spec.params), ...types.argsOf(capital(name), spec.query)];
  if (kind === 'mutation' && spec.body) {
    const input = types.inputType(`${capital(name)}Input`, spec.body);
    if (input) args.push(`input: ${input.ref}${input.required ? '!' : ''}`);
  }
  const returns = spec.response ? types.outputRef(`${capital(name)}Result`, spec.response) : 'JSON';
  const doc = `  """${spec.summary.replaceAll('"""', "'''").replace(/"$/, '" ')} (as ${spec.method} /api/v1${spec.path}; access: ${spec.access})"""\n`;
  const field = `${doc}  ${name}${args.length > 0 ? `(${args.join(', ')})` : ''}: ${returns}`;
  return { name, spec, field, params: keysOf(spec.params), query: keysOf(spec.query) };
}

function keysOf(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** A GraphQL argument as the route's URL would carry it (`7`, `true`, `a,b`). */
export function asUrlValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}
