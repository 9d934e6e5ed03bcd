import { useCallback, useRef, useState } from 'preact/hooks';
import type { WorkerUse } from '../../../src/core/analytics.js';
import type { PoolStatus, Resource, TaskEvent, WorkerLoad, WorkerView } from '../api/types';
import { analytics } from '../api/views';
import { ErrorNote } from '../components/ErrorNote';
import { useQueues } from '../components/PauseBanner';
import { QueuesTable } from '../components/QueuesTable';
import { age, workerUsage } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { href } from '../lib/route';
import { api, useEvents } from '../lib/session';
import { Teams } from './Teams';

export function WorkersView() {
  const workers = useLoad(() => api.workers(), []);
  const stats = useLoad(() => analytics('24h'), []);
  const resources = useLoad(() => api.resources(), []);
  const queues = useQueues();
  const fleet = useLoad(() => api.fleet(), []);
  const load = useLoad(() => api.workerLoad(), []);
  const teams = useLoad(() => api.teams(), []);
  const [showOffline, setShowOffline] = useState(false);
  const now = useNow(10_000);
  const timer = useRef<number | null>(null);
  const statsAt = useRef(Date.now());
  const onEvent = useCallback(
    (_e: TaskEvent) => {
      if (timer.current !== null) return;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        workers.reload();
        resources.reload();
        fleet.reload();
        load.reload();
        teams.reload();
        // The 24 h counts read many finished tasks: refreshed at most every 10 s.
        if (Date.now() - statsAt.current >= 10_000) {
          statsAt.current = Date.now();
          stats.reload();
        }
      }, 1000);
    },
    [workers.reload, stats.reload, resources.reload, fleet.reload, load.reload, teams.reload],
  );
  useEvents(onEvent);
  const list = workers.data ?? [];
  const counts = { busy: 0, idle: 0, offline: 0 };
  for (const w of list) counts[w.health]++;
  // Who can take work now comes first: busy, then idle, each newest heartbeat first.
  const online = list
    .filter((w) => w.online)
    .sort((a, b) => a.health.localeCompare(b.health) || b.lastSeenAt.localeCompare(a.lastSeenAt));
  const offline = list.filter((w) => !w.online).sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  const byWorker = new Map((stats.data?.byWorker ?? []).map((u) => [u.workerId, u]));
  const loadOf = new Map((load.data ?? []).map((l) => [l.id, l]));
  const table = (rows: WorkerView[], caption: string) => (
    <div class="table-wrap">
      <table class="table workers-table">
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Health</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Current tasks</th>
            <th scope="col">Memory · CPU</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col">Done (24 h)</th>
            <th scope="col">Success (24 h)</th>
            <th scope="col">Running</th>
            <th scope="col">Reserved</th>
            <th scope="col">Done / h</th>
            <th scope="col">Could serve</th>
            <th scope="col">Teams</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <WorkerRow key={w.id} w={w} use={byWorker.get(w.id)} load={loadOf.get(w.id)} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );

  return (
    <section aria-labelledby="workers-title">
      <h1 id="workers-title">Workers</h1>
      <ErrorNote error={workers.error} />
      <ul class="tiles" aria-label="availability">
        <li class="tile">
          <span class="tile-value">{online.length}</span> online
        </li>
        <li class="tile health-busy">
          <span class="tile-value">{counts.busy}</span> busy
        </li>
        <li class="tile health-idle">
          <span class="tile-value">{counts.idle}</span> idle
        </li>
        <li class="tile health-offline">
          <span class="tile-value">{counts.offline}</span> offline
        </li>
      </ul>
      {workers.data && list.length === 0 ? (
        <p class="muted">No worker has registered yet. Start one with `baton worker`.</p>
      ) : null}
      {online.length ? table(online, 'Online workers, their health and load') : null}
      {workers.data && list.length > 0 && online.length === 0 ? <p class="muted">No worker is online.</p> : null}
      {offline.length ? (
        <div class="offline-workers">
          <button
            type="button"
            class="link"
            aria-expanded={showOffline}
            aria-controls="offline-list"
            onClick={() => setShowOffline((v) => !v)}
          >
            {showOffline ? 'Hide' : 'Show'} {offline.length} offline worker{offline.length === 1 ? '' : 's'}
          </button>
          {showOffline ? <div id="offline-list">{table(offline, 'Offline workers')}</div> : null}
        </div>
      ) : null}
      {teams.data?.length ? <Teams list={teams.data} /> : null}
      {queues.data ? <QueuesTable report={queues.data} /> : null}
      {fleet.data?.length ? <Fleet pools={fleet.data} /> : null}
      {resources.data?.length ? <Resources list={resources.data} /> : null}
    </section>
  );
}

/** Pools run by fleet supervisors (`baton fleet`): size against target, and why it scaled. */
function Fleet({ pools }: { pools: PoolStatus[] }) {
  return (
    <section aria-labelledby="fleet-title">
      <h2 id="fleet-title">Fleet</h2>
      <div class="table-wrap">
        <table class="table">
          <caption class="sr-only">Worker pools, their size, target and why they scaled</caption>
          <thead>
            <tr>
              <th scope="col">Pool</th>
              <th scope="col">Members</th>
              <th scope="col">Ready for it</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {pools.map((p) => (
              <tr key={p.name} data-pool={p.name}>
                <th scope="row">
                  {p.name} <span class="muted small">{p.capabilities.join(', ') || 'any'}</span>
                  {p.queues?.length ? <span class="muted small"> · queues {p.queues.join(', ')}</span> : null}
                  {p.degraded ? <div class="badge health-offline">degraded: {p.degradedReason}</div> : null}
                </th>
                <td>
                  {p.members.filter((m) => m.state !== 'stopping').length} / {p.target}{' '}
                  <span class="muted small">
                    (min {p.min}, max {p.max})
                  </span>
                </td>
                <td>{p.ready}</td>
                <td>{p.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A worker's open (or half-open) circuit breaker: it claims nothing until the cool-down passes. */
function BreakerBadge({ w }: { w: WorkerView }) {
  const b = w.breaker;
  if (!b || b.mode === 'closed') return null;
  const text = b.mode === 'open' ? 'breaker open' : 'breaker half-open';
  return (
    <div class="badge health-offline" title={`${b.reason ?? ''}${b.reopensAt ? `; claims again after ${b.reopensAt}` : ''}`}>
      {text}
    </div>
  );
}

/** Resources: how many of their holders execute, out of how many may. */
function Resources({ list }: { list: Resource[] }) {
  return (
    <section aria-labelledby="resources-title">
      <h2 id="resources-title">Resources</h2>
      <div class="table-wrap">
        <table class="table">
          <caption class="sr-only">Resources, their capacity and the tasks holding them</caption>
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col">Executing</th>
              <th scope="col">Holders</th>
              <th scope="col">Waiting</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.name} data-resource={r.name}>
                <th scope="row">{r.name}</th>
                <td class={r.holders.length >= r.capacity ? 'health-busy' : undefined}>
                  {r.holders.length} / {r.capacity}
                </td>
                <td>
                  {r.holders.length ? (
                    r.holders.map((id) => (
                      <a key={id} class="chip" href={href(`/tasks/${id}`)}>
                        #{id}
                      </a>
                    ))
                  ) : (
                    <span class="muted">none</span>
                  )}
                </td>
                <td>{r.waiting}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function WorkerRow({
  w,
  use,
  load,
  now,
}: {
  w: WorkerView;
  use: WorkerUse | undefined;
  load: WorkerLoad | undefined;
  now: number;
}) {
  const finished = (use?.completed ?? 0) + (use?.failed ?? 0);
  return (
    <tr data-worker={w.id} data-health={w.health}>
      <th scope="row">
        <a href={href(`/workers/${encodeURIComponent(w.id)}`)}>
          {w.name ? (
            <>
              {w.name} <span class="muted small">{w.id}</span>
            </>
          ) : (
            w.id
          )}
        </a>
        {w.host ? <div class="muted small">{w.host}</div> : null}
      </th>
      <td>
        <span class={`badge health health-${w.health}`}>{w.health}</span>
        {w.state === 'stopped' ? <span class="muted small"> stopped</span> : null}
        <BreakerBadge w={w} />
      </td>
      <td>{w.capabilities.join(', ') || <span class="muted">any</span>}</td>
      <td>
        {w.currentTasks.length
          ? w.currentTasks.map((id) => (
              <a key={id} class="chip" href={href(`/tasks/${id}`)}>
                #{id}
              </a>
            ))
          : '—'}{' '}
        <span class="muted small">
          {w.currentTasks.length}/{w.concurrency}
        </span>
      </td>
      <td>{workerUsage(w)}</td>
      <td title={w.lastSeenAt}>{age(w.lastSeenAt, now)} ago</td>
      <td>{use?.completed ?? 0}</td>
      <td>{finished ? `${Math.round(((use?.completed ?? 0) / finished) * 100)}% of ${finished}` : '—'}</td>
      <LoadCells load={load} />
    </tr>
  );
}

/** `baton workers --load`: what a worker runs and has reserved, its pace, and the ready work it could take. */
export function LoadCells({ load }: { load: WorkerLoad | undefined }) {
  if (!load)
    return (
      <td colSpan={5} class="muted">
        —
      </td>
    );
  return (
    <>
      <td data-load="running">{load.running}</td>
      <td data-load="reserved">{load.reserved}</td>
      <td data-load="done">{load.donePerHour}</td>
      <td data-load="demand">{load.demand}</td>
      <td data-load="teams">{load.teams.join(', ') || <span class="muted">—</span>}</td>
    </>
  );
}
