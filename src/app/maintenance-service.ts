import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { periodOf } from '../core/backup.js';
import type { Store } from '../store/store.js';
import { BACKUP_DUTY, backup, backupStatus, rotate } from './backup-service.js';
import { githubSettings } from './config-resolve.js';
import type { AppContext } from './context.js';
import type { MaintenanceSettings, MaintenanceStatus, MaintenanceTick } from './maintenance-types.js';
import { gc, RETENTION_DUTY, retentionStatus } from './retention-service.js';

/** The duties a server runs on its own, and what status says of them. */

/** Who claims a duty: this process, for the record. */
const HOLDER = `${hostname()}:${process.pid}`;

/**
 * The duties whose period began: each is claimed in the store first (compare and set), so of the
 * servers sharing a store exactly one runs it per period. Reading the last period claimed first
 * keeps a server that polls every minute from writing every minute.
 */
export async function maintain(ctx: AppContext): Promise<MaintenanceTick> {
  const now = ctx.clock.now();
  const claimed = new Map((await ctx.store.duties()).map((d) => [d.duty, d.period]));
  const due = async (duty: string, everyMs: number) => {
    const period = periodOf(now, everyMs);
    return (claimed.get(duty) ?? -1) < period && ctx.store.claimDuty(duty, period, HOLDER, now);
  };
  const tick: MaintenanceTick = { backup: null, gc: null };
  const { backup: b, retention: r } = ctx.maintenance;
  if (b.everyMs !== null && (await due(BACKUP_DUTY, b.everyMs))) {
    // A failure is recorded by backup() itself, with its `backup_failed` event.
    tick.backup = await backup(ctx, {}).catch(() => null);
    if (tick.backup) tick.backup.rotated = await rotate(ctx).catch(() => []);
  }
  if ((r.eventsMs !== null || r.completedTasksMs !== null) && (await due(RETENTION_DUTY, r.everyMs))) tick.gc = await gc(ctx);
  return tick;
}

export async function maintenanceStatus(ctx: AppContext): Promise<MaintenanceStatus> {
  return { backup: await backupStatus(ctx), retention: await retentionStatus(ctx) };
}

/** Webhooks and alerts without a config. */
export const DEFAULT_NOTIFY: Pick<MaintenanceSettings, 'webhooks' | 'alerts'> = {
  webhooks: { pollMs: 1000, timeoutMs: 10_000, backoffMs: 5000, maxFailures: 10, settleMs: 1000 },
  alerts: { everyMs: 15_000, readyOver: null },
};

/** Without a config: nothing scheduled, and the folders beside a SQLite store (else in `./.baton`). */
export function defaultMaintenance(store: Store): MaintenanceSettings {
  const base = store.kind === 'sqlite' && store.location !== ':memory:' ? dirname(store.location) : resolve('.baton');
  return {
    backup: { everyMs: null, keep: 10, dir: join(base, 'backups') },
    retention: { eventsMs: null, completedTasksMs: null, archiveDir: join(base, 'archive'), everyMs: 3_600_000 },
    ...DEFAULT_NOTIFY,
    hooks: {},
    github: githubSettings(undefined, process.env),
  };
}
