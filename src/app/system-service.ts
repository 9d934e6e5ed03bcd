import { BatonError } from '../core/errors.js';
import { pauseView } from '../core/queues.js';
import { redactText } from '../core/redact.js';
import { dumpSchema, eventsQuerySchema, parseWith } from '../core/schemas.js';
import type { ApiKey, BatonDump, TaskEvent } from '../core/types.js';
import type { AppliedMigration } from '../store/store.js';
import type {
  BatonDescription,
  CreatedKey,
  CreateKeyInput,
  EventQuery,
  EventWatch,
  Health,
  ImportSummary,
  SystemStatus,
} from './baton.js';
import type { AppContext } from './context.js';
import { createKey as newKey, publicKey, revokeKey as revoke } from './keys.js';
import { maintenanceStatus } from './maintenance-service.js';
import { systemStatus } from './status-stats.js';
import { assertDumpIntegrity } from './transfer.js';
import { version } from './version.js';

/** The system's use cases: status, health, the event log, API keys, export and import. */

export async function status(ctx: AppContext): Promise<SystemStatus> {
  const stats = await systemStatus({ store: ctx.store, policy: ctx.policy, workers: () => ctx.presence.list() });
  const pauses = (await ctx.store.listPauses()).map(pauseView);
  const openAlerts = await ctx.store.alerts({ open: true, limit: 5 });
  return { ...stats, maintenance: await maintenanceStatus(ctx), pauses, openAlerts };
}

export async function health(ctx: AppContext): Promise<Health> {
  const now = await ctx.store.now();
  const at = new Date(now).toISOString();
  const condition = ctx.store.condition?.() ?? null;
  if (!condition) return { ok: true, store: ctx.store.kind, at };
  const problem = { code: condition.code, message: condition.message, since: new Date(condition.since).toISOString() };
  return { ok: false, store: ctx.store.kind, at, problem };
}

/**
 * Per store, the migrations it was opened with: they are applied when a process opens the store
 * and do not change under it, so `describe` (read per log request, at every worker's start) reads
 * them once.
 */
const schemas = new WeakMap<object, Promise<AppliedMigration[]>>();

export async function describe(ctx: AppContext): Promise<BatonDescription> {
  let read = schemas.get(ctx.store);
  if (!read) {
    read = ctx.store.migrations();
    schemas.set(ctx.store, read);
    read.catch(() => schemas.delete(ctx.store));
  }
  const migrations = await read;
  // A store's location is shown to any caller with a key; a store may not have stripped its password.
  return {
    store: { kind: ctx.store.kind, location: redactText(ctx.store.location) },
    policy: ctx.policy,
    version: version(),
    schema: { version: migrations.at(-1)?.version ?? 0, migrations },
  };
}

export async function events(ctx: AppContext, query: EventQuery = {}): Promise<TaskEvent[]> {
  return ctx.store.events(parseWith(eventsQuerySchema, query));
}

/** The newest event id (0 for none), by bisecting ids: a few indexed reads, however long the log. */
export async function latestEventId(ctx: AppContext): Promise<number> {
  const exists = async (after: number) => (await ctx.store.events({ afterId: after, limit: 1 })).length > 0;
  let hi = 1;
  while (await exists(hi)) hi *= 2;
  let lo = 0;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await exists(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function watchEvents(ctx: AppContext, listener: (lastEventId: number) => void): EventWatch {
  const stop = ctx.store.onEvents?.(listener);
  return { pushes: stop !== undefined, stop: stop ?? (() => {}) };
}

export async function createKey(ctx: AppContext, input: CreateKeyInput): Promise<CreatedKey> {
  const created = await newKey(ctx.store, input, ctx.clock);
  ctx.keys.invalidate();
  return created;
}

export async function listKeys(ctx: AppContext): Promise<ApiKey[]> {
  return (await ctx.store.listKeys()).map(publicKey);
}

export async function revokeKey(ctx: AppContext, id: string): Promise<ApiKey> {
  const revoked = await revoke(ctx.store, id, ctx.clock);
  ctx.keys.invalidate();
  return revoked;
}

export async function exportData(ctx: AppContext): Promise<BatonDump> {
  return ctx.store.dump();
}

export async function importData(ctx: AppContext, data: unknown): Promise<ImportSummary> {
  const dump = parseWith(dumpSchema, data, { code: 'invalid_import', what: 'file' });
  assertDumpIntegrity(dump);
  await ctx.store.transaction(async (tx) => {
    if (!(await tx.isEmpty())) {
      throw new BatonError('store_not_empty', `import needs an empty store; ${ctx.store.location} already holds data`);
    }
    await tx.load(dump);
  });
  return { tasks: dump.tasks.length, events: dump.events.length, workers: dump.workers.length };
}
