import { z } from 'zod';
import { fleetReportSchema, poolReportSchema } from '../core/schemas/fleet.js';
import { type RouteSpec, route } from './route.js';

const readySchema = z.strictObject({ queue: z.string(), capabilities: z.array(z.string()), ready: z.number().int() });
const poolStatusSchema = poolReportSchema.extend({ supervisor: z.string(), updatedAt: z.string() });

/** Fleets: ready work per capability set (what pools scale by), and the pools supervisors report. */
export const fleetRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    path: '/fleet/ready',
    summary: 'Ready tasks per queue and distinct set of capabilities they need (what a pool or an autoscaler sizes by)',
    tag: 'workers',
    access: 'read',
    response: z.strictObject({ ready: z.array(readySchema) }),
    handle: async ({ baton }) => ({ ready: await baton.readyByCapabilities() }),
  }),
  route({
    method: 'GET',
    path: '/fleet',
    summary: 'The pools fleet supervisors run: members, target size, why it scaled, degraded or not',
    tag: 'workers',
    access: 'read',
    response: z.strictObject({ pools: z.array(poolStatusSchema) }),
    handle: async ({ baton }) => ({ pools: await baton.fleetStatus() }),
  }),
  route({
    method: 'PUT',
    path: '/fleet',
    summary: "A fleet supervisor's report of its pools, replacing its earlier one (no pools: it stopped)",
    tag: 'workers',
    access: 'admin',
    body: fleetReportSchema,
    response: z.strictObject({ ok: z.literal(true) }),
    handle: async ({ baton, body }) => {
      await baton.reportFleet(body);
      return { ok: true as const };
    },
  }),
];
