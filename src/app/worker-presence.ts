import { type BreakerState, configureBreaker, newBreaker } from '../core/breaker.js';
import type { Clock } from '../core/clock.js';
import { BatonError, workerNotFound } from '../core/errors.js';
import type { Policy } from '../core/policy.js';
import type { Worker, WorkerView } from '../core/types.js';
import type { Store } from '../store/store.js';
import type { RegisterWorkerInput, WorkerHeartbeatInput } from './baton.js';
import { listedWorkers, workerViews } from './workers.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** How often a busy worker's `lastSeenAt` is refreshed by its claims and writes, in ms. */
const TOUCH_INTERVAL_MS = 10_000;
/** How long a process found to hold its worker id is trusted to still hold it (claims skip the read). */
const CURRENT_FOR_MS = 1_000;

/**
 * Who is working: registrations, health, and the `lastSeenAt` a worker's calls keep fresh. A busy
 * worker's calls refresh it at most every TOUCH_INTERVAL_MS, and its registered capabilities are
 * cached as long, so that thousands of claims a second do not each write a heartbeat. Callers pass
 * ids and registrations already parsed with the core schemas.
 */
export class WorkerPresence {
  private readonly touched = new Map<string, number>();
  private readonly cachedCaps = new Map<string, string[]>();
  /** Workers known to run without a breaker, and when that was read: they skip the look-up a while. */
  private readonly noBreaker = new Map<string, number>();
  /** The process (host and pid) last found to hold each worker id, and when. */
  private readonly holders = new Map<string, { holder: string; at: number }>();
  /** Within a third of the heartbeat timeout too: a live worker must never look offline. */
  private readonly touchEveryMs: number;

  constructor(
    private readonly store: Store,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {
    this.touchEveryMs = Math.min(TOUCH_INTERVAL_MS, (policy.heartbeatTimeoutSeconds * 1000) / 3);
  }

  async register(input: RegisterWorkerInput): Promise<WorkerView> {
    const { id, replace, ...registration } = input;
    // A registration here (a takeover among them) is seen by this process's next claim at once.
    this.holders.delete(id);
    const existing = await this.store.getWorker(id);
    if (existing && !replace && this.otherLiveProcess(existing, input, await this.store.now())) {
      throw new BatonError(
        'worker_id_in_use',
        `worker ${id} is already running (pid ${existing.pid} on ${existing.host ?? 'an unknown host'}); stop it, pick another id, or replace it`,
        { id, host: existing.host, pid: existing.pid },
      );
    }
    const { breaker: config, ...rest } = registration;
    // None given: the store's default (`workers.breaker`) for a worker that has none yet; else kept.
    const fallback = !existing?.breaker && this.policy.workerBreaker ? newBreaker(this.policy.workerBreaker) : undefined;
    const breaker =
      config === undefined ? fallback : config === null ? null : configureBreaker(existing?.breaker ?? null, config);
    const { worker } = await this.store.transaction(async (tx) => {
      const result = await tx.upsertWorker({ id, ...rest, breaker, state: 'active' });
      await tx.appendEvent({
        taskId: null,
        workerId: id,
        actor: id,
        type: result.created ? 'worker_registered' : 'worker_updated',
        at: iso(tx.now),
        changes: {},
        data: {
          name: result.worker.name,
          capabilities: result.worker.capabilities,
          host: result.worker.host,
          pid: result.worker.pid,
          ...(replace && existing && { replaced: { host: existing.host, pid: existing.pid } }),
        },
      });
      return result;
    });
    this.touched.set(id, this.clock.now());
    // Claims in the next few seconds trust this cache instead of re-reading the registration.
    this.cachedCaps.set(id, worker.capabilities);
    this.rememberBreaker(id, worker.breaker);
    const [view] = workerViews([worker], await this.store.leasesByWorker(), this.clock.now(), this.policy);
    return view as WorkerView;
  }

  /** Whether `existing` is another process than the one registering, and still online. */
  private otherLiveProcess(existing: Worker, input: RegisterWorkerInput, now: number): boolean {
    if (input.pid === undefined || existing.pid === null) return false;
    const same = existing.pid === input.pid && existing.host === (input.host ?? null);
    return (
      !same && existing.state === 'active' && now - Date.parse(existing.lastSeenAt) <= this.policy.heartbeatTimeoutSeconds * 1000
    );
  }

  /** A claim from a process that registered this id, since taken over by another one, is refused. */
  async assertCurrent(workerId: string, host: string | undefined, pid: number | undefined): Promise<void> {
    if (pid === undefined) return;
    // A takeover is noticed within CURRENT_FOR_MS: claims many times a second need not each read.
    const holder = `${host ?? ''}/${pid}`;
    const held = this.holders.get(workerId);
    if (held?.holder === holder && this.clock.now() - held.at < CURRENT_FOR_MS) return;
    const worker = await this.store.getWorker(workerId);
    if (!worker || worker.pid === null || (worker.pid === pid && worker.host === (host ?? null))) {
      this.holders.set(workerId, { holder, at: this.clock.now() });
      return;
    }
    this.holders.delete(workerId);
    throw new BatonError(
      'worker_replaced',
      `worker ${workerId} was taken over by pid ${worker.pid} on ${worker.host ?? 'an unknown host'}; this process stops`,
      { id: workerId, host: worker.host, pid: worker.pid },
    );
  }

  async unregister(id: string): Promise<WorkerView> {
    if (!(await this.store.getWorker(id))) throw workerNotFound(id);
    const worker = await this.store.transaction(async (tx) => {
      const { worker } = await tx.upsertWorker({ id, state: 'stopped' });
      await tx.appendEvent({
        taskId: null,
        workerId: id,
        actor: id,
        type: 'worker_stopped',
        at: iso(tx.now),
        changes: {},
        data: null,
      });
      return worker;
    });
    // The next claim or write of this id must register it again, not trust the cached touch.
    this.touched.delete(id);
    const [view] = workerViews([worker], await this.store.leasesByWorker(), this.clock.now(), this.policy);
    return view as WorkerView;
  }

  /** A worker's own heartbeat: keeps it online and records what its process uses (no event: it is not a change of work). */
  async heartbeat(input: WorkerHeartbeatInput): Promise<WorkerView> {
    const { workerId, usage } = input;
    const existing = await this.store.getWorker(workerId);
    if (!existing) throw workerNotFound(workerId);
    const { worker } = await this.store.transaction((tx) =>
      tx.upsertWorker({
        id: workerId,
        // A heartbeat sent just before the goodbye and arriving after it leaves the worker stopped.
        state: existing.state,
        usage: {
          rssBytes: usage.rssBytes,
          heapUsedBytes: usage.heapUsedBytes ?? 0,
          cpuPercent: usage.cpuPercent,
          at: iso(tx.now),
        },
      }),
    );
    this.touched.set(workerId, this.clock.now());
    const [view] = workerViews([worker], await this.store.leasesByWorker(), this.clock.now(), this.policy);
    return view as WorkerView;
  }

  async list(options: { available?: boolean } = {}): Promise<WorkerView[]> {
    const now = await this.store.now();
    const all = workerViews(await this.store.listWorkers(), await this.store.leasesByWorker(), now, this.policy);
    const views = listedWorkers(all, now, this.policy);
    return options.available ? views.filter((w) => w.health === 'idle') : views;
  }

  /** The capabilities a claim uses: those given (which update the registration) or those registered. */
  async capabilitiesFor(workerId: string, given: string[] | undefined): Promise<string[]> {
    const last = this.touched.get(workerId);
    if (given === undefined && last !== undefined && this.clock.now() - last < this.touchEveryMs) {
      return this.cachedCaps.get(workerId) ?? [];
    }
    const existing = await this.store.getWorker(workerId);
    const capabilities = given ?? existing?.capabilities ?? [];
    const changed = !existing || (given !== undefined && JSON.stringify(given) !== JSON.stringify(existing.capabilities));
    if (changed) {
      await this.register({ id: workerId, capabilities });
    } else if (last === undefined || this.clock.now() - last >= this.touchEveryMs) {
      await this.store.transaction((tx) => tx.upsertWorker({ id: workerId }));
      this.touched.set(workerId, this.clock.now());
    }
    this.cachedCaps.set(workerId, capabilities);
    return capabilities;
  }

  /**
   * A worker's circuit breaker as stored (null: it has none). Read afresh for a worker that has
   * one, since another server may have changed it; "none" is trusted for the touch interval.
   */
  async breakerOf(workerId: string): Promise<BreakerState | null> {
    const none = this.noBreaker.get(workerId);
    if (none !== undefined && this.clock.now() - none < this.touchEveryMs) return null;
    const breaker = (await this.store.getWorker(workerId))?.breaker ?? null;
    this.rememberBreaker(workerId, breaker);
    return breaker;
  }

  rememberBreaker(workerId: string, breaker: BreakerState | null): void {
    if (breaker) this.noBreaker.delete(workerId);
    else this.noBreaker.set(workerId, this.clock.now());
  }

  /** Keeps `lastSeenAt` fresh without a write per call. */
  async touch(workerId: string): Promise<void> {
    const last = this.touched.get(workerId);
    if (last !== undefined && this.clock.now() - last < this.touchEveryMs) return;
    this.touched.set(workerId, this.clock.now());
    await this.store.transaction((tx) => tx.upsertWorker({ id: workerId }));
  }
}
