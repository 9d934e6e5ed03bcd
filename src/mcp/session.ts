import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Baton } from '../app/baton.js';
import type { Task } from '../core/types.js';

export interface SessionOptions {
  /** From `--worker` or `BATON_WORKER_ID`; generated per session when unset. */
  workerId?: string | undefined;
  /** From `--capabilities`; a `next_task` argument replaces them for the rest of the session. */
  capabilities?: string[] | undefined;
  /** Lease length of each claim; the store's configured lease when unset. */
  leaseSeconds?: number | undefined;
  /** Called when a renewal finds a lease gone (cancelled, taken over); for the server's log. */
  onLost?: ((taskId: number, reason: string) => void) | undefined;
}

interface Held {
  token: number;
  leaseMs: number;
  renewedAt: number;
}

/** Errors that mean this agent no longer holds the task: stop renewing it. */
const LEASE_GONE = new Set(['illegal_transition', 'not_lease_holder', 'stale_token', 'lease_expired', 'task_not_found']);
const RENEW_TICK_MS = 250;
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
  private readonly held = new Map<number, Held>();
  private readonly stop = new AbortController();
  private timer: NodeJS.Timeout | null = null;
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
    return [...this.held.keys()];
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
    if (!task.lease) return;
    this.held.set(task.id, { token: task.lease.token, leaseMs: task.lease.seconds * 1000, renewedAt: Date.now() });
    if (!this.timer) {
      this.timer = setInterval(() => this.renewDue(), RENEW_TICK_MS);
      // The session lives as long as stdin is open; the renewals alone must not keep the process up.
      this.timer.unref();
    }
  }

  /** The worker and token to write to `taskId` with; no token for a task claimed elsewhere. */
  lease(taskId: number): { workerId: string; token?: number } {
    const held = this.held.get(taskId);
    return held ? { workerId: this.workerId, token: held.token } : { workerId: this.workerId };
  }

  /** A write renewed the lease (progress does). */
  renewed(taskId: number): void {
    const held = this.held.get(taskId);
    if (held) held.renewedAt = Date.now();
  }

  /** The task left this agent's hands (completed, failed, released, or lost). */
  drop(taskId: number): void {
    this.held.delete(taskId);
  }

  /** Whether an error of a write means the lease is gone, so the task is no longer held. */
  dropIfGone(taskId: number, err: unknown): void {
    if (LEASE_GONE.has(codeOf(err))) this.drop(taskId);
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
    if (this.timer) clearInterval(this.timer);
    // A claim that was waiting ends on the abort; if it got a task, that task is held by now and
    // released below with the others.
    const settled = Promise.allSettled([...this.inflight]);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SETTLE_MS).unref())]);
    const ids = this.heldIds;
    await Promise.all(ids.map((id) => this.baton.release(id, this.lease(id)).catch(() => undefined)));
    this.held.clear();
    if (this.id !== undefined) await this.baton.unregisterWorker(this.id).catch(() => undefined);
  }

  /** Renews each held lease once a third of it has passed, so a slow store never lets one lapse. */
  private renewDue(): void {
    const now = Date.now();
    for (const [taskId, held] of this.held) {
      if (now - held.renewedAt < held.leaseMs / 3) continue;
      held.renewedAt = now;
      this.baton.heartbeat(taskId, { workerId: this.workerId, token: held.token }).catch((err) => {
        if (!LEASE_GONE.has(codeOf(err))) return;
        this.drop(taskId);
        this.options.onLost?.(taskId, err instanceof Error ? err.message : String(err));
      });
    }
  }
}

const codeOf = (err: unknown) => String((err as { code?: unknown })?.code ?? '');

/** `claude-code-3f9a1c`: which client it is, and unique per session. */
function generatedId(clientName: string | undefined): string {
  const slug = (clientName ?? 'mcp')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'mcp'}-${randomBytes(3).toString('hex')}`;
}
