import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Baton, CapabilityCount, SystemStatus } from '../app/baton.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { TaskEvent } from '../core/types.js';

/** Remembered claim starts and ready times, at most this many (oldest dropped first). */
const MAX_TRACKED = 100_000;
const WAIT_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400, 86_400];

/**
 * Prometheus metrics. Gauges are read from the store (through `status`) at scrape time (so every replica reports
 * the same numbers); counters and histograms follow the event feed, so they count work done
 * through any process — CLI, other replicas — not only this server's requests.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly claims: Counter;
  private readonly completions: Counter;
  private readonly failures: Counter<'final'>;
  private readonly expiries: Counter;
  private readonly events: Counter<'type'>;
  private readonly readyToClaim: Histogram;
  private readonly claimToCompletion: Histogram;
  private readonly readyAt = new Map<number, number>();
  private readonly claimedAt = new Map<number, number>();
  private lastStatus: { at: number; value: Promise<SystemStatus> } | null = null;

  constructor(
    private readonly baton: Baton,
    private readonly clock: Clock = systemClock,
  ) {
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: 'baton_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    });
    this.claims = new Counter({ name: 'baton_claims_total', help: 'Tasks claimed', registers });
    this.completions = new Counter({ name: 'baton_completions_total', help: 'Tasks completed', registers });
    this.failures = new Counter({
      name: 'baton_failures_total',
      help: 'Failed attempts (final="true": no retries left)',
      labelNames: ['final'],
      registers,
    });
    this.expiries = new Counter({ name: 'baton_lease_expiries_total', help: 'Leases that ran out', registers });
    this.events = new Counter({ name: 'baton_events_total', help: 'Events appended, by type', labelNames: ['type'], registers });
    this.readyToClaim = new Histogram({
      name: 'baton_ready_to_claim_seconds',
      help: 'Time from a task becoming ready to its claim',
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.claimToCompletion = new Histogram({
      name: 'baton_claim_to_completion_seconds',
      help: 'Time from claim to completion',
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.defineGauges();
  }

  /** Follows the event feed: one call per batch, in id order. */
  async observe(events: readonly TaskEvent[]): Promise<void> {
    const unknownReady: TaskEvent[] = [];
    for (const e of events) {
      this.events.inc({ type: e.type });
      const readyAfter = e.changes.readyAt?.[1];
      if (e.taskId !== null && typeof readyAfter === 'string') this.track(this.readyAt, e.taskId, Date.parse(readyAfter));
      if (e.taskId === null) continue;
      this.count(e, unknownReady);
    }
    // Sampled: under a burst of claims, a few reads of the task stand for the rest.
    if (unknownReady.length > 0) await this.observeWaits(unknownReady.slice(0, 20));
  }

  private count(e: TaskEvent, unknownReady: TaskEvent[]): void {
    const id = e.taskId as number;
    const at = Date.parse(e.at);
    const status = e.changes.status?.[1];
    if (e.type === 'claimed') {
      this.claims.inc();
      this.track(this.claimedAt, id, at);
      const ready = this.readyAt.get(id);
      if (ready === undefined) unknownReady.push(e);
      else this.readyToClaim.observe(Math.max(0, (at - ready) / 1000));
      this.readyAt.delete(id);
      return;
    }
    if (e.type === 'lease_expired') this.expiries.inc();
    if (e.type === 'failed') this.failures.inc({ final: String(status === 'failed') });
    if (status === 'completed' && !e.data?.rollup) {
      this.completions.inc();
      const claimed = this.claimedAt.get(id);
      if (claimed !== undefined) this.claimToCompletion.observe(Math.max(0, (at - claimed) / 1000));
    }
    if (status !== undefined && status !== 'executing' && status !== 'reviewing' && status !== 'paused') {
      this.claimedAt.delete(id);
    }
  }

  /** Claims of tasks that became ready before this server started: their readyAt is on the task. */
  private async observeWaits(claims: readonly TaskEvent[]): Promise<void> {
    const tasks = await Promise.all(claims.map((c) => this.baton.getTask(c.taskId as number).catch(() => undefined)));
    claims.forEach((c, i) => {
      const readyAt = tasks[i]?.readyAt;
      if (readyAt) this.readyToClaim.observe(Math.max(0, (Date.parse(c.at) - Date.parse(readyAt)) / 1000));
    });
  }

  private track(map: Map<number, number>, id: number, value: number): void {
    map.delete(id);
    map.set(id, value);
    if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as number);
  }

  /** One status read serves every gauge of a scrape. */
  private status(): Promise<SystemStatus> {
    const now = this.clock.now();
    if (!this.lastStatus || now - this.lastStatus.at > 1_000) {
      this.lastStatus = { at: now, value: this.baton.status() };
      this.lastStatus.value.catch(() => {
        this.lastStatus = null;
      });
    }
    return this.lastStatus.value;
  }

  private defineGauges(): void {
    const registers = [this.registry];
    const self = this;
    new Gauge({
      name: 'baton_tasks',
      help: 'Tasks by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const s = await self.status();
        for (const [status, n] of Object.entries(s.tasks.byStatus)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'baton_ready_tasks',
      help: 'Tasks claimable now, by priority',
      labelNames: ['priority'],
      registers,
      async collect() {
        const s = await self.status();
        for (const [priority, n] of Object.entries(s.readyByPriority)) this.set({ priority }, n);
      },
    });
    new Gauge({
      name: 'baton_ready_tasks_by_capabilities',
      help: 'Tasks claimable now, by the set of capabilities they need (comma-separated, sorted; empty: none); what an autoscaler sizes a pool by',
      labelNames: ['capabilities'],
      registers,
      async collect() {
        const counts = await self.baton.readyByCapabilities();
        // A set with nothing ready any more is dropped, not left at its last value.
        this.reset();
        for (const [capabilities, n] of sumBy(counts, (c) => c.capabilities.join(','))) this.set({ capabilities }, n);
      },
    });
    new Gauge({
      name: 'baton_ready_tasks_by_queue',
      help: 'Tasks claimable now, by named queue; what an autoscaler sizes a pool serving some queues by',
      labelNames: ['queue'],
      registers,
      async collect() {
        const counts = await self.baton.readyByCapabilities();
        this.reset();
        for (const [queue, n] of sumBy(counts, (c) => c.queue)) this.set({ queue }, n);
      },
    });
    new Gauge({
      name: 'baton_fleet_pool_degraded',
      help: 'Pools run by fleet supervisors: 1 while the pool crash-loops (degraded), else 0',
      labelNames: ['pool'],
      registers,
      async collect() {
        const pools = await self.baton.fleetStatus();
        this.reset();
        for (const p of pools) this.set({ pool: p.name }, p.degraded ? 1 : 0);
      },
    });
    new Gauge({
      name: 'baton_sla_breaches',
      help: 'Ready tasks waiting longer than their priority target',
      labelNames: ['priority'],
      registers,
      async collect() {
        const s = await self.status();
        for (const [priority, n] of Object.entries(s.sla.breaches)) this.set({ priority }, n);
      },
    });
    new Gauge({
      name: 'baton_workers',
      help: 'Registered workers by health',
      labelNames: ['health'],
      registers,
      async collect() {
        const { workers } = await self.status();
        this.set({ health: 'busy' }, workers.busy);
        this.set({ health: 'idle' }, workers.idle);
        this.set({ health: 'offline' }, workers.offline);
      },
    });
    const simple = (name: string, help: string, read: (s: SystemStatus) => number | null) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(read(await self.status()) ?? Number.NaN);
        },
      });
    simple('baton_workers_online', 'Workers online', (s) => s.workers.online);
    simple('baton_worker_breakers_open', 'Workers whose circuit breaker is open or half-open', (s) => s.workers.breakersOpen);
    simple('baton_queue_depth', 'Tasks claimable now', (s) => s.queueDepth);
    simple('baton_completed_last_hour', 'Tasks completed in the last hour', (s) => s.throughput.completedLastHour);
    simple('baton_worker_utilisation', 'Busy share of online workers (0–1)', (s) => s.utilisation);
    simple('baton_completion_rate', 'Completed share of tasks finished in the last hour (0–1)', (s) => s.completionRate);
  }
}

/** Ready counts summed per label value (the store counts per queue and capability set). */
function sumBy(counts: readonly CapabilityCount[], label: (c: CapabilityCount) => string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const c of counts) sums.set(label(c), (sums.get(label(c)) ?? 0) + c.ready);
  return sums;
}
