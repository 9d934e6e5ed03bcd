import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { API_KEY_ROLES, KEY_CAPABILITIES } from '../core/types.js';
import type { Principal } from './auth.js';
import { eventListSchema, historyQuery, importBody } from './http-schemas.js';
import { jsonStream } from './json-stream.js';
import type { Metrics } from './metrics.js';
import { redactValue, seesPaths, withoutPaths } from './redact.js';
import { type RouteSpec, route } from './route.js';

export interface SystemDeps {
  metrics: Metrics;
  clock: Clock;
  startedAt: number;
  version: string;
  /** Largest import accepted, in bytes. */
  importLimit: number;
  /** Whether the server's log file takes writes (lines are dropped, never waited for, while not). */
  logHealth?: (() => LogHealth) | undefined;
}

export interface LogHealth {
  ok: boolean;
  /** Lines dropped since the log last took a write. */
  dropped: number;
  /** Since when writes fail, ISO-8601, or null. */
  since: string | null;
}

const apiKeySchema = z.strictObject({
  id: z.string(),
  role: z.enum(API_KEY_ROLES),
  workerId: z.string().nullable(),
  name: z.string().nullable(),
  capabilities: z.array(z.enum(KEY_CAPABILITIES)),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

/** Status, health, keys, metrics as JSON, the event history, export and import. */
export function systemRoutes(deps: SystemDeps): RouteSpec[] {
  return [
    route({
      method: 'GET',
      path: '/status',
      summary: 'Counts by status, queue depth, workers, throughput, time to assignment, SLA breaches',
      tag: 'system',
      access: 'read',
      handle: async ({ baton, principal }) => withStoreShown(await baton.status(), principal),
    }),
    route({
      method: 'GET',
      path: '/health',
      summary: 'Liveness and store reachability (no key needed)',
      tag: 'system',
      access: 'public',
      response: z.strictObject({
        ok: z.boolean(),
        store: z.string(),
        at: z.string(),
        problem: z.strictObject({ code: z.string(), message: z.string(), since: z.string() }).optional(),
        log: z.strictObject({ ok: z.boolean(), dropped: z.number(), since: z.string().nullable() }).optional(),
        version: z.string(),
        uptimeSeconds: z.number(),
      }),
      handle: async ({ baton, reply }) => {
        const health = await baton.health();
        const log = deps.logHealth?.();
        // Load balancers and probes read the status: 503 while the store cannot take writes.
        if (!health.ok) void reply.code(503);
        return {
          ...health,
          ...(log && { log }),
          version: deps.version,
          uptimeSeconds: Math.round((deps.clock.now() - deps.startedAt) / 1000),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/describe',
      summary: 'The store and the policy in force (retry defaults, lease, review, breakdown)',
      tag: 'system',
      access: 'read',
      handle: async ({ baton, principal }) => withStoreShown(await baton.describe(), principal),
    }),
    route({
      method: 'GET',
      path: '/whoami',
      summary: "The caller's role, its worker (for a worker key), and whether it may set task commands",
      tag: 'system',
      access: 'read',
      response: z.strictObject({
        role: z.enum(API_KEY_ROLES),
        workerId: z.string().nullable(),
        key: apiKeySchema.nullable(),
        commands: z.boolean(),
      }),
      handle: async ({ principal, commandsAllowed }) => ({
        role: principal.role,
        workerId: principal.workerId,
        key: principal.key,
        commands: commandsAllowed,
      }),
    }),
    route({
      method: 'GET',
      path: '/keys',
      summary: 'API keys, revoked ones included (never a secret)',
      tag: 'keys',
      access: 'admin',
      response: z.strictObject({ keys: z.array(apiKeySchema) }),
      handle: async ({ baton }) => ({ keys: await baton.listKeys() }),
    }),
    route({
      method: 'POST',
      path: '/keys',
      summary:
        'Create an API key; the key is in this answer only. Capability `commands` (admin keys only) lets it set task commands: code that workers run',
      tag: 'keys',
      access: 'admin',
      status: 201,
      body: z.strictObject({
        role: z.enum(API_KEY_ROLES),
        workerId: z.string().min(1).max(100).optional(),
        name: z.string().min(1).max(100).optional(),
        capabilities: z.array(z.enum(KEY_CAPABILITIES)).max(KEY_CAPABILITIES.length).optional(),
        key: z.string().min(1).max(200).optional(),
      }),
      response: z.strictObject({ key: z.string(), record: apiKeySchema }),
      handle: ({ baton, body }) => baton.createKey(body),
    }),
    route({
      method: 'DELETE',
      path: '/keys/:keyId',
      summary: 'Revoke an API key (servers stop accepting it within seconds)',
      tag: 'keys',
      access: 'admin',
      params: z.strictObject({ keyId: z.string().min(1).max(64) }),
      response: apiKeySchema,
      handle: ({ baton, params }) => baton.revokeKey(params.keyId),
    }),
    route({
      method: 'GET',
      path: '/events/latest',
      summary: 'The newest event id (0 when there is none)',
      tag: 'events',
      access: 'read',
      response: z.strictObject({ id: z.number().int().nonnegative() }),
      handle: async ({ baton }) => ({ id: await baton.latestEventId() }),
    }),
    route({
      method: 'GET',
      path: '/metrics',
      summary: 'The Prometheus metrics, as JSON',
      tag: 'system',
      access: 'read',
      handle: async () => ({
        at: new Date(deps.clock.now()).toISOString(),
        metrics: await deps.metrics.registry.getMetricsAsJSON(),
      }),
    }),
    route({
      method: 'GET',
      path: '/events/history',
      summary:
        'Events (the audit trail) after an id, optionally of one task, or of several (taskIds, with the newest perTask of each)',
      tag: 'events',
      access: 'read',
      heavy: true,
      query: historyQuery,
      response: eventListSchema,
      handle: async ({ baton, query }) => ({
        events: await baton.events({
          ...(query.taskId !== undefined && { taskId: query.taskId }),
          ...(query.afterId !== undefined && { afterId: query.afterId }),
          ...(query.taskIds !== undefined && { taskIds: query.taskIds }),
          ...(query.perTask !== undefined && { perTask: query.perTask }),
          limit: query.limit ?? 1_000,
        }),
      }),
    }),
    route({
      method: 'GET',
      path: '/export',
      summary: 'The whole store as JSON (lossless; load it with import)',
      tag: 'system',
      access: 'admin',
      heavy: true,
      handle: async ({ baton, reply }) => {
        void reply.type('application/json; charset=utf-8');
        return jsonStream({ ...(await baton.exportData()) });
      },
    }),
    route({
      method: 'POST',
      path: '/import',
      summary: 'Load an export into an empty store',
      tag: 'system',
      access: 'admin',
      heavy: true,
      body: importBody,
      bodyLimit: deps.importLimit,
      setsCommands: (body) => holdsCommands(body),
      handle: ({ baton, body }) => baton.importData(body),
    }),
  ];
}

/** Whether an export to import holds a task with a command (its shape is checked by the import). */
function holdsCommands(dump: unknown): boolean {
  const tasks = (dump as { tasks?: unknown } | null)?.tasks;
  return Array.isArray(tasks) && tasks.some((t) => (t as { command?: unknown } | null)?.command != null);
}

/** The store's location (and the backup files) as the caller may see them: file names only, unless an admin asks. */
function withStoreShown<T extends { store: { location: string }; maintenance?: unknown }>(answer: T, principal: Principal): T {
  if (seesPaths(principal)) return answer;
  const store = { ...answer.store, location: withoutPaths(answer.store.location) };
  return { ...answer, store, ...(answer.maintenance !== undefined && { maintenance: redactValue(answer.maintenance) }) };
}
