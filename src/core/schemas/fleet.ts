import { z } from 'zod';

/** What a fleet supervisor reports of its pools (`reportFleet`), and what `fleetStatus` answers. */

const name = z.string().min(1).max(200);

export const memberStatusSchema = z.strictObject({
  workerId: name,
  pid: z.number().int().nullable(),
  state: z.enum(['running', 'stopping', 'backoff']),
  startedAt: z.string().max(40),
  restarts: z.number().int().min(0),
  /** Since when it holds no task (ISO time); null while busy or unknown. */
  idleSince: z.string().max(40).nullable(),
});

export const poolReportSchema = z.strictObject({
  name,
  capabilities: z.array(name).max(100),
  /** The named queues its members serve; absent or empty: every queue. */
  queues: z.array(name).max(100).optional(),
  min: z.number().int().min(0),
  max: z.number().int().min(0),
  concurrency: z.number().int().min(1),
  target: z.number().int().min(0),
  ready: z.number().int().min(0),
  reason: z.string().max(500),
  lastScaledAt: z.string().max(40).nullable(),
  degraded: z.boolean(),
  degradedReason: z.string().max(500).nullable(),
  crashes: z.number().int().min(0),
  members: z.array(memberStatusSchema).max(10_000),
});

export const fleetReportSchema = z.strictObject({
  /** Who runs the pools (`host:pid`); a report replaces this supervisor's earlier one. */
  supervisor: name,
  pools: z.array(poolReportSchema).max(1000),
});

export type MemberStatus = z.infer<typeof memberStatusSchema>;
export type PoolReport = z.infer<typeof poolReportSchema>;
export type FleetReportInput = z.input<typeof fleetReportSchema>;

/** A pool as `fleetStatus` shows it: its last report, who sent it, and when. */
export interface PoolStatus extends PoolReport {
  supervisor: string;
  updatedAt: string;
}
