import { z } from 'zod';
import type { Store } from '../store/store.js';
import { eventListSchema, historyQuery, importBody } from './http-schemas.js';
import type { Metrics } from './metrics.js';
import { type RouteSpec, route } from './route.js';

export interface SystemDeps {
  store: Store;
  metrics: Metrics;
  startedAt: number;
  version: string;
  /** Largest import accepted, in bytes. */
  importLimit: number;
}

/** Status, health, metrics as JSON, the event history, export and import. */
export function systemRoutes(deps: SystemDeps): RouteSpec[] {
  return [
    route({
      method: 'GET',
      path: '/status',
      summary: 'Counts by status, queue depth, workers, throughput, time to assignment, SLA breaches',
      tag: 'system',
      access: 'read',
      handle: ({ baton }) => baton.status(),
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
        version: z.string(),
        uptimeSeconds: z.number(),
      }),
      handle: async () => {
        await deps.store.now();
        return {
          ok: true,
          store: deps.store.kind,
          version: deps.version,
          uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/whoami',
      summary: "The caller's role and, for a worker key, its worker",
      tag: 'system',
      access: 'read',
      response: z.strictObject({ role: z.enum(['admin', 'worker', 'viewer']), workerId: z.string().nullable() }),
      handle: async ({ principal }) => ({ role: principal.role, workerId: principal.workerId }),
    }),
    route({
      method: 'GET',
      path: '/metrics',
      summary: 'The Prometheus metrics, as JSON',
      tag: 'system',
      access: 'read',
      handle: async () => ({ at: new Date().toISOString(), metrics: await deps.metrics.registry.getMetricsAsJSON() }),
    }),
    route({
      method: 'GET',
      path: '/events/history',
      summary: 'Events (the audit trail) after an id, optionally of one task',
      tag: 'events',
      access: 'read',
      query: historyQuery,
      response: eventListSchema,
      handle: async ({ baton, query }) => ({
        events: await baton.events({
          ...(query.taskId !== undefined && { taskId: query.taskId }),
          ...(query.afterId !== undefined && { afterId: query.afterId }),
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
      handle: ({ baton }) => baton.exportData(),
    }),
    route({
      method: 'POST',
      path: '/import',
      summary: 'Load an export into an empty store',
      tag: 'system',
      access: 'admin',
      body: importBody,
      bodyLimit: deps.importLimit,
      handle: ({ baton, body }) => baton.importData(body),
    }),
  ];
}
