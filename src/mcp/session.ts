import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Baton } from '../app/baton.js';
import { type LeaseEvent, LeaseKeeper, leaseLostCode } from '../app/lease-keeper.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Task } from '../core/types.js';

export interface SessionOptions {
  /** From `--worker` or `BATON_WORKER_ID`; generated per session when unset. */
  workerId?: string | undefined;
  /** From `--capabilities`; a `next_task` argument replaces them for the rest of the session. */
  capabilities?: string[] | undefined;
  /** Lease length of each claim; the store's configured lease when unset. */
  leaseSeconds?: number | undefined;
  /**
   * Told when a renewal finds a lease gone (cancelled, taken over) — the task is no longer held —
   * or fails for another reason (the lease is kept and renewed again shortly); for the server's log.
   */
  onLease?: ((event: Exclude<LeaseEvent, { type: 'renewed' }>) => void) | undefined;
  /** Source of the session's times and waits (default: the system clock). */
  clock?: Clock | undefined;
}

/** Longest a closing session waits for calls in flight; the client kills the server after ~2 s. */
const SETTLE_MS = 1000;

/**
 * One agent connected over MCP: its worker identity, the leases it holds, and their renewal.
 * While the session lives its leases stay renewed (the agent may think for a long time between
 * calls); when the client goes away they are released at once, so the work goes back to the queue
 * instead of waiting for the leases to run out.
 */
export class AgentSession {
  private id: string | undefined;
  private caps: string[] | undefined;
  private readonly clock: Clock;
  /** The leases this session holds, renewed while it lives. */
  private readonly keeper: LeaseKeeper;
  private readonly stop = new AbortController();
  private closing: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  /** The client's name, known once it said hello; part of a generated worker id. */
  clientName: string | undefined;

  constructor(
    private readonly baton: Baton,
    private readonly options: SessionOptions = {},
  ) {
    this.id = options.workerId;
    this.caps = options.capabilities;
    this.clock = options.clock ?? systemClock;
    this.keeper = new LeaseKeeper(baton, { clock: this.clock, onEvent: (e) => this.onLease(e) });
    this.keeper.start();
  }

  /** Stable for the whole session: generated on first use when not given. */
  get workerId(): string {
    this.id ??= generatedId(this.clientName);
    return this.id;
  }

  get capabilities(): string[] | undefined {
    return this.caps;
  }

  /** Capabilities given to a tool replace those of `--capabilities` for the rest of the session. */
  useCapabilities(value: string[] | undefined): void {
    if (value !== undefined) this.caps = value;
  }

  get leaseSeconds(): number | undefined {
    return this.options.leaseSeconds;
  }

  /** Aborted when the session closes: ends claims that are waiting for work. */
  get signal(): AbortSignal {
    return this.stop.signal;
  }

  /** Ids of the tasks this session holds, oldest claim first. */
  get heldIds(): number[] {
    return this.keeper.held;
  }

  async register(): Promise<void> {
    await this.baton.registerWorker({
      id: this.workerId,
      name: this.clientName ? `${this.clientName} (MCP)` : 'MCP agent',
      capabilities: this.caps,
      host: hostname(),
      pid: process.pid,
    });
  }

  /** Remembers a claimed task so its lease is renewed, and written to with its fencing token. */
  hold(task: Task): void {
    this.keeper.hold(task);
  }

  /** The worker and token to write to `taskId` with; no token for a task claimed elsewhere. */
  lease(taskId: number): { workerId: string; token?: number } {
    const held = this.keeper.lease(taskId);
    return held ? { workerId: this.workerId, token: held.token } : { workerId: this.workerId };
  }

  /** A write renewed the lease (progress does). */
  renewed(taskId: number): void {
    this.keeper.touch(taskId);
  }

  /** The task left this agent's hands (completed, failed, released, or lost). */
  drop(taskId: number): void {
    this.keeper.drop(taskId);
  }

  /** Whether an error of a write means the lease is gone, so the task is no longer held. */
  dropIfGone(taskId: number, err: unknown): void {
    if (leaseLostCode(err) !== null) this.drop(taskId);
  }

  /** Runs a tool call as part of the session, so that closing lets it settle first. */
  track<T>(call: Promise<T>): Promise<T> {
    this.inflight.add(call);
    const forget = () => this.inflight.delete(call);
    call.then(forget, forget);
    return call;
  }

  /** Releases every held task and says goodbye; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.stop.abort();
    // No renewal starts from here on: every held task is released below. A claim that was waiting
    // ends on the abort; if it got a task, that task is held by now and released with the others.
    // What is still in flight (tool calls, a renewal) gets the settle budget, no more.
    const waited = new AbortController();
    const settled = Promise.allSettled([...this.inflight, this.keeper.stop()]);
    await Promise.race([settled, this.clock.sleep(SETTLE_MS, waited.signal)]);
    waited.abort();
    const ids = this.heldIds;
    await Promise.all(ids.map((id) => this.baton.release(id, this.lease(id)).catch(() => undefined)));
    for (const id of ids) this.keeper.drop(id);
    if (this.id !== undefined) await this.baton.unregisterWorker(this.id).catch(() => undefined);
  }

  /** A lost lease is no longer held (the keeper dropped it); every outcome but success goes to the log. */
  private onLease(event: LeaseEvent): void {
    if (event.type !== 'renewed') this.options.onLease?.(event);
  }
}

/** `claude-code-3f9a1c`: which client it is, and unique per session. */
function generatedId(clientName: string | undefined): string {
  const slug = (clientName ?? 'mcp')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'mcp'}-${randomBytes(3).toString('hex')}`;
}
