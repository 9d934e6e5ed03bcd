import type { ChildProcess } from 'node:child_process';
import type { Baton } from '../app/baton.js';
import type { Clock } from '../core/clock.js';
import { decideScale, isDegraded, restartDelayMs, type ScaleMember } from '../core/fleet.js';
import type { MemberStatus, PoolReport } from '../core/schemas/fleet.js';
import type { CapabilityCount } from '../store/fleet.js';
import type { FleetSpec, PoolSpec } from './fleet-file.js';

/**
 * A fleet supervisor: runs each pool's members as `baton worker` child processes, starts crashed
 * ones again after a backoff, marks a crash-looping pool degraded, sizes pools by the ready work
 * they can serve (`core/fleet.ts` decides), stops idle members gracefully (SIGTERM: they finish
 * within their grace period, then release), and reports every pool into the store each tick.
 */

/** Starts one member process: `baton worker WORKER_ID` for `pool`. */
export type SpawnMember = (pool: PoolSpec, workerId: string) => ChildProcess;

export interface SupervisorOptions {
  baton: Baton;
  spec: FleetSpec;
  spawn: SpawnMember;
  clock: Clock;
  /** Names this supervisor in reports (`host:pid`). */
  id: string;
  /** Lines worth a person's attention (a crash, a scaling decision). */
  log?: ((line: string) => void) | undefined;
}

/** Extra time after a member's grace before a stopping member is killed. */
const KILL_AFTER_GRACE_MS = 10_000;

interface Member {
  workerId: string;
  child: ChildProcess | null;
  state: MemberStatus['state'];
  startedAt: number;
  restarts: number;
  /** Crashes in a row (reset when it ran for a while). */
  streak: number;
  restartAt: number | null;
  idleSinceMs: number | null;
  stopDeadline: number | null;
}

interface PoolState {
  spec: PoolSpec;
  members: Map<string, Member>;
  crashes: number[];
  lastScaledAt: number | null;
  pressureSince: number | null;
  target: number;
  ready: number;
  reason: string;
  degraded: boolean;
}

export class FleetSupervisor {
  private readonly pools: PoolState[];
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  /** How long the last tick took (ms): the supervisor's own overhead. */
  lastTickMs = 0;

  constructor(private readonly o: SupervisorOptions) {
    this.pools = o.spec.pools.map((spec) => ({
      spec,
      members: new Map(),
      crashes: [],
      lastScaledAt: null,
      pressureSince: null,
      target: spec.min,
      ready: 0,
      reason: 'starting',
      degraded: false,
    }));
  }

  /** Runs until `stop`; resolves once every member has exited. */
  start(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops every member gracefully and clears this supervisor's reports. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { clock } = this.o;
    while (!this.stopping.signal.aborted) {
      const began = performance.now();
      await this.tick().catch((err) => this.o.log?.(`fleet: ${(err as Error).message}`));
      this.lastTickMs = performance.now() - began;
      await clock.sleep(this.o.spec.tickMs, this.stopping.signal);
    }
    await this.shutdown();
  }

  /** One look: the queue, the members, the decisions, the report. */
  async tick(): Promise<void> {
    const now = this.o.clock.now();
    const [ready, workers] = await Promise.all([this.o.baton.readyByCapabilities(), this.o.baton.listWorkers()]);
    const health = new Map(workers.map((w) => [w.id, w.health]));
    for (const pool of this.pools) {
      pool.ready = servable(ready, pool.spec.capabilities, pool.spec.queues);
      this.watchMembers(pool, health, now);
      this.scale(pool, now);
    }
    await this.o.baton.reportFleet({ supervisor: this.o.id, pools: this.pools.map((p) => this.report(p)) });
  }

  private watchMembers(pool: PoolState, health: Map<string, string>, now: number): void {
    for (const m of pool.members.values()) {
      if (m.state === 'backoff' && m.restartAt !== null && now >= m.restartAt) this.launch(pool, m, now);
      if (m.state === 'stopping' && m.stopDeadline !== null && now >= m.stopDeadline) m.child?.kill('SIGKILL');
      const h = health.get(m.workerId);
      if (h === 'busy') m.idleSinceMs = null;
      else if (m.idleSinceMs === null) m.idleSinceMs = now;
    }
    const degraded = isDegraded(pool.crashes, now, this.o.spec.crash);
    if (degraded !== pool.degraded) {
      pool.degraded = degraded;
      this.o.log?.(`fleet: pool ${pool.spec.name} ${degraded ? 'is degraded: its members keep crashing' : 'recovered'}`);
    }
  }

  private scale(pool: PoolState, now: number): void {
    const live = [...pool.members.values()].filter((m) => m.state !== 'stopping');
    const members: ScaleMember[] = live.map((m) => ({
      id: m.workerId,
      idleSinceMs: m.state === 'backoff' ? null : m.idleSinceMs,
    }));
    const d = decideScale({
      now,
      ready: pool.ready,
      members,
      min: pool.spec.min,
      max: pool.spec.max,
      rules: pool.spec.scale,
      lastScaledAt: pool.lastScaledAt,
      pressureSince: pool.pressureSince,
    });
    pool.pressureSince = d.pressureSince;
    if (d.scaled) pool.lastScaledAt = now;
    if (d.target !== pool.target || d.scaled) this.o.log?.(`fleet: pool ${pool.spec.name} → ${d.target}: ${d.reason}`);
    // The reason shown is that of the last change of size (a hold keeps it).
    if (d.scaled || d.target !== live.length) pool.reason = d.reason;
    pool.target = d.target;
    for (let n = live.length; n < d.target; n++) this.launch(pool, this.newMember(pool, now), now);
    for (const id of d.stop) this.retire(pool, pool.members.get(id), now);
  }

  private newMember(pool: PoolState, now: number): Member {
    let i = 1;
    while (pool.members.has(`${pool.spec.name}-${i}`)) i++;
    const member: Member = {
      workerId: `${pool.spec.name}-${i}`,
      child: null,
      state: 'running',
      startedAt: now,
      restarts: 0,
      streak: 0,
      restartAt: null,
      idleSinceMs: now,
      stopDeadline: null,
    };
    pool.members.set(member.workerId, member);
    return member;
  }

  private launch(pool: PoolState, m: Member, now: number): void {
    const child = this.o.spawn(pool.spec, m.workerId);
    Object.assign(m, { child, state: 'running', startedAt: now, restartAt: null, idleSinceMs: now });
    child.on('exit', (code, signal) => this.exited(pool, m, child, code ?? signal));
    // A process that could not start counts as a crash (its 'exit' may never come).
    child.on('error', (err) => this.exited(pool, m, child, err.message));
  }

  private exited(pool: PoolState, m: Member, child: ChildProcess, how: number | string | null): void {
    if (m.child !== child) return;
    m.child = null;
    if (m.state === 'stopping' || this.stopping.signal.aborted) {
      pool.members.delete(m.workerId);
      return;
    }
    const now = this.o.clock.now();
    // A member that ran a while before it died starts a new streak: only quick deaths back off further.
    m.streak = now - m.startedAt > this.o.spec.crash.maxBackoffMs ? 1 : m.streak + 1;
    m.restarts++;
    pool.crashes = [...pool.crashes.filter((t) => now - t < this.o.spec.crash.windowMs), now];
    const delay = restartDelayMs(m.streak, this.o.spec.crash);
    Object.assign(m, { state: 'backoff', restartAt: now + delay });
    this.o.log?.(`fleet: ${m.workerId} exited (${how}); starting it again in ${Math.round(delay / 100) / 10}s`);
  }

  /** SIGTERM: the member stops claiming, finishes within its grace, releases the rest and exits. */
  private retire(pool: PoolState, m: Member | undefined, now: number): void {
    if (!m) return;
    if (!m.child) {
      // Waiting to be started again: nothing runs to stop.
      pool.members.delete(m.workerId);
      return;
    }
    Object.assign(m, { state: 'stopping', stopDeadline: now + pool.spec.graceMs + KILL_AFTER_GRACE_MS });
    m.child.kill('SIGTERM');
  }

  private report(pool: PoolState): PoolReport {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const { spec } = pool;
    return {
      name: spec.name,
      capabilities: spec.capabilities,
      queues: spec.queues,
      min: spec.min,
      max: spec.max,
      concurrency: spec.concurrency,
      target: pool.target,
      ready: pool.ready,
      reason: pool.reason,
      lastScaledAt: iso(pool.lastScaledAt),
      degraded: pool.degraded,
      degradedReason: pool.degraded
        ? `${pool.crashes.length} crashes in ${Math.round(this.o.spec.crash.windowMs / 1000)}s`
        : null,
      crashes: pool.crashes.length,
      members: [...pool.members.values()].map((m) => ({
        workerId: m.workerId,
        pid: m.child?.pid ?? null,
        state: m.state,
        startedAt: new Date(m.startedAt).toISOString(),
        restarts: m.restarts,
        idleSince: iso(m.idleSinceMs),
      })),
    };
  }

  /** Every member asked to stop (their grace), waited for, then this supervisor's reports cleared. */
  private async shutdown(): Promise<void> {
    const children = this.pools.flatMap((p) => [...p.members.values()]).flatMap((m) => (m.child ? [m.child] : []));
    const graceMs = Math.max(0, ...this.pools.map((p) => p.spec.graceMs)) + KILL_AFTER_GRACE_MS;
    await Promise.all(children.map((c) => stopChild(c, graceMs)));
    await this.o.baton.reportFleet({ supervisor: this.o.id, pools: [] }).catch(() => undefined);
  }
}

/**
 * Ready tasks a member of a pool with `capabilities` could claim: those needing only capabilities
 * it has, in the queues it serves (none named: every queue).
 */
export function servable(
  counts: readonly CapabilityCount[],
  capabilities: readonly string[],
  queues: readonly string[] = [],
): number {
  const has = new Set(capabilities);
  const inQueue = (c: CapabilityCount) => queues.length === 0 || queues.includes(c.queue);
  return counts.filter((c) => inQueue(c) && c.capabilities.every((cap) => has.has(cap))).reduce((sum, c) => sum + c.ready, 0);
}

function stopChild(child: ChildProcess, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
