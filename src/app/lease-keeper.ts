import { type Clock, systemClock } from '../core/clock.js';
import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import type { Task } from '../core/types.js';
import type { Baton } from './baton.js';
import { standingLeases } from './lease-check.js';

/**
 * The codes of a refused lease write that mean the lease is gone for good: the task was finished,
 * cancelled (`illegal_transition`), paused (`task_paused`), taken over (`not_lease_holder`,
 * `stale_token`), timed out (`lease_expired`) or deleted (`task_not_found`). Any other refusal may pass.
 */
export const LEASE_LOST_CODES = [
  'illegal_transition',
  'task_paused',
  'not_lease_holder',
  'stale_token',
  'lease_expired',
  'task_not_found',
] as const satisfies readonly ErrorCode[];
export type LeaseLostCode = (typeof LEASE_LOST_CODES)[number];

const LOST: ReadonlySet<ErrorCode> = new Set(LEASE_LOST_CODES);

/** The Baton error code of `err`, or null when it carries none (a bug, or not a Baton error at all). */
export function errorCodeOf(err: unknown): ErrorCode | null {
  // Read by shape rather than `instanceof`: an error may come from another copy of this module.
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : null;
}

/** The code of `err` when it means the lease is gone, else null. */
export function leaseLostCode(err: unknown): LeaseLostCode | null {
  const code = errorCodeOf(err);
  return code !== null && LOST.has(code) ? (code as LeaseLostCode) : null;
}

/** A lease this process holds, as the keeper sees it. Times are by the keeper's clock. */
export interface HeldLease {
  readonly taskId: number;
  readonly workerId: string;
  /** Fencing token of the claim. */
  readonly token: number;
  readonly leaseMs: number;
  /**
   * When the lease runs out unless renewed: the lease length after the last write known to have
   * renewed it was sent (or after `hold`). The store's clock has the final say.
   */
  readonly expiresAt: number;
}

/** What became of one renewal; the keeper reports every one. */
export type LeaseEvent =
  | { type: 'renewed'; at: number; lease: HeldLease; task: Task }
  /** The lease is gone (see `LEASE_LOST_CODES`): the keeper no longer holds or renews it. */
  | { type: 'lost'; at: number; lease: HeldLease; code: LeaseLostCode; message: string }
  /**
   * The renewal failed for a reason that does not show the lease is gone (store or server
   * unavailable, rate limited, …): the lease is kept and tried again at `retryAt`.
   * `code` is null for an error that carries no Baton code. `failures` counts them in a row.
   */
  | { type: 'failed'; at: number; lease: HeldLease; code: ErrorCode | null; message: string; failures: number; retryAt: number };

export type LeaseEventListener = (event: LeaseEvent) => void;

/**
 * - `created`: not started; leases may be held but are not renewed yet;
 * - `running`: renewing each lease when it is due;
 * - `stopping`: asked to stop, letting the renewals in flight settle;
 * - `stopped`: renews nothing more; leases may still be held and read.
 */
export type LeaseKeeperState = 'created' | 'running' | 'stopping' | 'stopped';

const TRANSITIONS: Record<LeaseKeeperState, readonly LeaseKeeperState[]> = {
  created: ['running', 'stopped'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export interface LeaseKeeperOptions {
  /** Source of every time and wait of the keeper (default: the system clock). */
  clock?: Clock | undefined;
  /** Share of a lease that passes before it is renewed (default 1/3: a failed renewal leaves two thirds to retry in). */
  renewAfter?: number | undefined;
  /** Wait after a failed renewal before trying again (default: half the renewal interval, at most 5 s). */
  retryMs?: number | undefined;
  /** Told of every renewal: renewed, lost, or failed. It must not throw. */
  onEvent?: LeaseEventListener | undefined;
  /**
   * Between renewals, how often to read whether the held leases still stand (default: never), so
   * that a lease ended by someone else — a pause, a cancel — is noticed within this time rather
   * than at the next renewal. A read writes nothing; a lease found gone is renewed at once, and
   * the refusal says how it was lost.
   */
  checkMs?: number | undefined;
}

/**
 * Where one lease stands: `confirmed` (renewed, or held, and waiting until due), `renewing`
 * (a renewal in flight), `failing` (the last renewal failed; tried again at `retryAt`).
 */
type LeasePhase = 'confirmed' | 'renewing' | 'failing';

interface Lease {
  taskId: number;
  workerId: string;
  token: number;
  leaseMs: number;
  /** When the last write known to have renewed the lease was sent. */
  confirmedAt: number;
  phase: LeasePhase;
  /** Failed renewals in a row, and when to try again after the last one. */
  failures: number;
  retryAt: number;
}

type Outcome = { ok: true; task: Task } | { ok: false; error: unknown };

/** `setTimeout` cannot wait longer than this; a longer sleep just wakes and looks again. */
const MAX_SLEEP_MS = 2 ** 31 - 1;
const MAX_RETRY_MS = 5_000;

/**
 * Keeps the leases of one process alive: the one owner of lease renewal for the worker loop and
 * MCP sessions alike. It sleeps until the earliest lease is due, then renews together every lease
 * that is due or soon will be, so a process holding many leases wakes once per batch rather than
 * once per lease. A slow renewal holds up no other lease. It talks to Baton only, so it works in
 * process and over HTTP.
 *
 * ```ts
 * const keeper = new LeaseKeeper(baton, { onEvent: (e) => e.type === 'lost' && stopWorkOn(e.lease.taskId) });
 * keeper.start();
 * keeper.hold(task); // a task just claimed
 * // … keeper.drop(task.id) once the task is reported; at the end:
 * await keeper.stop();
 * ```
 */
export class LeaseKeeper {
  private readonly clock: Clock;
  private readonly renewAfter: number;
  private readonly leases = new Map<number, Lease>();
  private readonly inflight = new Set<Promise<void>>();
  private current: LeaseKeeperState = 'created';
  private wake = new AbortController();
  /** When the loop's current sleep ends by itself (infinite while it waits only for a wake-up). */
  private sleepsUntil = Number.POSITIVE_INFINITY;
  private loop: Promise<void> | null = null;
  /** When the held leases are next read (see `checkMs`), and whether a read is in flight. */
  private checkAt = 0;
  private checking = false;

  constructor(
    private readonly baton: Baton,
    private readonly options: LeaseKeeperOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.renewAfter = options.renewAfter ?? 1 / 3;
    if (!(this.renewAfter > 0 && this.renewAfter < 1)) throw new RangeError('renewAfter must be between 0 and 1');
  }

  get state(): LeaseKeeperState {
    return this.current;
  }

  /** Ids of the tasks whose leases are held, oldest first. */
  get held(): number[] {
    return [...this.leases.keys()];
  }

  /** The lease held on `taskId`, if any. */
  lease(taskId: number): HeldLease | undefined {
    const lease = this.leases.get(taskId);
    return lease && this.view(lease);
  }

  /** Starts renewing; leases held before are renewed from now on. A keeper starts once. */
  start(): void {
    this.moveTo('running');
    this.loop = this.run();
  }

  /**
   * Holds the lease of a task just claimed (`task.lease` names the worker and token), replacing
   * any lease held on it before. Returns null for a task without a lease: nothing to hold.
   */
  hold(task: Task): HeldLease | null {
    if (!task.lease) return null;
    const lease: Lease = {
      taskId: task.id,
      workerId: task.lease.owner,
      token: task.lease.token,
      leaseMs: task.lease.seconds * 1000,
      confirmedAt: this.clock.now(),
      phase: 'confirmed',
      failures: 0,
      retryAt: 0,
    };
    this.leases.set(task.id, lease);
    // Woken only when it is due before the loop would wake anyway (a worker holds and drops
    // leases at its task rate; most are due long after the lease the loop sleeps for).
    if (this.dueAt(lease) < this.sleepsUntil) this.rouse();
    return this.view(lease);
  }

  /**
   * Records that another write that renews the lease (a progress report) succeeded; `sentAt` is
   * when it was sent (default: now). It postpones the next renewal and ends a run of failures.
   */
  touch(taskId: number, sentAt = this.clock.now()): void {
    const lease = this.leases.get(taskId);
    if (!lease) return;
    lease.confirmedAt = Math.max(lease.confirmedAt, sentAt);
    lease.failures = 0;
    if (lease.phase === 'failing') lease.phase = 'confirmed';
  }

  /** Stops holding the lease of `taskId` (reported, released, or known lost); a renewal in flight is ignored. */
  drop(taskId: number): void {
    this.leases.delete(taskId);
  }

  /** Stops renewing, once the renewals in flight have settled and been reported. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.current === 'created') {
      this.moveTo('stopped');
      return;
    }
    if (this.current === 'running') {
      this.moveTo('stopping');
      this.rouse();
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.current === 'running') {
      for (const lease of this.dueNow()) this.track(this.renew(lease));
      if (this.checkDue()) this.track(this.check());
      await this.sleep();
    }
    while (this.inflight.size > 0) await Promise.all(this.inflight);
    this.moveTo('stopped');
  }

  /**
   * Leases to renew now: none unless one is due; then also those past half their interval, which
   * would be due soon, so that they share this wake-up.
   */
  private dueNow(): Lease[] {
    const now = this.clock.now();
    const leases = [...this.leases.values()];
    if (!leases.some((l) => this.dueAt(l) <= now)) return [];
    return leases.filter((l) => (l.phase === 'confirmed' ? l.confirmedAt + this.interval(l) / 2 : this.dueAt(l)) <= now);
  }

  private checkDue(): boolean {
    const { checkMs } = this.options;
    if (checkMs === undefined || this.checking || this.leases.size === 0) return false;
    const now = this.clock.now();
    // A lease just held starts its checks from now, not from a read made before it.
    if (this.checkAt === 0) this.checkAt = now + checkMs;
    if (now < this.checkAt) return false;
    this.checkAt = now + checkMs;
    return true;
  }

  /** Reads the tasks of the held leases (one listing per worker); a lease no longer standing is renewed now. */
  private async check(): Promise<void> {
    this.checking = true;
    try {
      const byWorker = new Map<string, Lease[]>();
      for (const lease of this.leases.values()) byWorker.set(lease.workerId, [...(byWorker.get(lease.workerId) ?? []), lease]);
      for (const [workerId, leases] of byWorker) {
        const standing = await standingLeases(this.baton, workerId);
        for (const lease of leases) {
          const held = this.leases.get(lease.taskId) === lease && lease.phase !== 'renewing';
          if (held && standing.get(lease.taskId) !== lease.token) this.track(this.renew(lease));
        }
      }
    } catch {
      // A read that fails tells nothing about the leases: the renewals judge those.
    } finally {
      this.checking = false;
    }
  }

  private track(renewal: Promise<void>): void {
    this.inflight.add(renewal);
    void renewal.finally(() => {
      this.inflight.delete(renewal);
      // The lease is due again later, or no longer held: the loop works out its next wake-up.
      this.rouse();
    });
  }

  private async renew(lease: Lease): Promise<void> {
    lease.phase = 'renewing';
    const sentAt = this.clock.now();
    let outcome: Outcome;
    try {
      outcome = { ok: true, task: await this.baton.heartbeat(lease.taskId, { workerId: lease.workerId, token: lease.token }) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // Dropped or claimed anew meanwhile: this answer is about a lease no longer held.
    if (this.leases.get(lease.taskId) !== lease) return;
    if (outcome.ok) this.renewed(lease, outcome.task, sentAt);
    else this.refused(lease, outcome.error);
  }

  private renewed(lease: Lease, task: Task, sentAt: number): void {
    lease.confirmedAt = Math.max(lease.confirmedAt, sentAt);
    if (task.lease) lease.leaseMs = task.lease.seconds * 1000;
    lease.phase = 'confirmed';
    lease.failures = 0;
    this.emit({ type: 'renewed', at: this.clock.now(), lease: this.view(lease), task });
  }

  private refused(lease: Lease, error: unknown): void {
    const at = this.clock.now();
    const message = error instanceof Error ? error.message : String(error);
    const lost = leaseLostCode(error);
    if (lost !== null) {
      this.leases.delete(lease.taskId);
      this.emit({ type: 'lost', at, lease: this.view(lease), code: lost, message });
      return;
    }
    lease.phase = 'failing';
    lease.failures++;
    lease.retryAt = at + this.retryMs(lease);
    const { failures, retryAt } = lease;
    this.emit({ type: 'failed', at, lease: this.view(lease), code: errorCodeOf(error), message, failures, retryAt });
  }

  /** Ends the loop's current sleep (a plain reason: `abort()` alone builds a DOMException each time). */
  private rouse(): void {
    this.sleepsUntil = Number.NEGATIVE_INFINITY;
    this.wake.abort('wake');
  }

  /** Until the next lease is due, or until woken (a lease held, a renewal settled, a stop). */
  private async sleep(): Promise<void> {
    this.wake = new AbortController();
    const { signal } = this.wake;
    const checking = this.options.checkMs !== undefined && this.leases.size > 0 && !this.checking && this.checkAt > 0;
    let next = checking ? this.checkAt : Number.POSITIVE_INFINITY;
    for (const lease of this.leases.values()) next = Math.min(next, this.dueAt(lease));
    this.sleepsUntil = next;
    if (Number.isFinite(next)) {
      await this.clock.sleep(Math.min(MAX_SLEEP_MS, next - this.clock.now()), signal);
      return;
    }
    // Nothing to wait for but a wake-up: no timer, so an idle keeper keeps no process alive.
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** When the lease should be renewed next; never while a renewal of it is in flight. */
  private dueAt(lease: Lease): number {
    switch (lease.phase) {
      case 'confirmed':
        return lease.confirmedAt + this.interval(lease);
      case 'failing':
        return lease.retryAt;
      case 'renewing':
        return Number.POSITIVE_INFINITY;
      default: {
        const never: never = lease.phase;
        return never;
      }
    }
  }

  private interval(lease: Lease): number {
    return lease.leaseMs * this.renewAfter;
  }

  private retryMs(lease: Lease): number {
    return this.options.retryMs ?? Math.min(MAX_RETRY_MS, this.interval(lease) / 2);
  }

  private view(lease: Lease): HeldLease {
    const { taskId, workerId, token, leaseMs, confirmedAt } = lease;
    return { taskId, workerId, token, leaseMs, expiresAt: confirmedAt + leaseMs };
  }

  private moveTo(next: LeaseKeeperState): void {
    if (!TRANSITIONS[this.current].includes(next)) {
      throw new Error(`lease keeper: cannot go from ${this.current} to ${next}`);
    }
    this.current = next;
  }

  private emit(event: LeaseEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (err) {
      // A listener's bug must not stop the renewal of every other lease; it surfaces on its own.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
