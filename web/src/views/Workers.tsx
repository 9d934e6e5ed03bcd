import { useCallback, useRef } from 'preact/hooks';
import type { Resource, Task, TaskEvent, WorkerView } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { age } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { href } from '../lib/route';
import { api, useEvents } from '../lib/session';

interface WorkerStats {
  done: number;
  failed: number;
  /** Completions in the last hour. */
  lastHour: number;
  busyMs: number;
}

const SAMPLE = 1000;

/** Throughput and success rate per worker, from the newest finished tasks. */
async function loadStats(): Promise<Map<string, WorkerStats>> {
  const newest = async (status: 'completed' | 'failed') => {
    const head = await api.listTasks({ status: [status], limit: 1 });
    const offset = Math.max(0, head.total - SAMPLE);
    return head.total <= 1 ? head.tasks : (await api.listTasks({ status: [status], limit: SAMPLE, offset })).tasks;
  };
  const [done, failed] = await Promise.all([newest('completed'), newest('failed')]);
  const stats = new Map<string, WorkerStats>();
  const of = (w: string) => stats.get(w) ?? (stats.set(w, { done: 0, failed: 0, lastHour: 0, busyMs: 0 }).get(w) as WorkerStats);
  const hourAgo = Date.now() - 3_600_000;
  for (const t of done) {
    const w = workerOf(t);
    if (!w) continue;
    const s = of(w);
    s.done++;
    if (t.completedAt && Date.parse(t.completedAt) >= hourAgo) s.lastHour++;
    if (t.startedAt && t.completedAt) s.busyMs += Date.parse(t.completedAt) - Date.parse(t.startedAt);
  }
  for (const t of failed) {
    const w = workerOf(t);
    if (w) of(w).failed++;
  }
  return stats;
}

function workerOf(t: Task): string | null {
  return t.assignee ?? t.review?.submittedBy ?? null;
}

export function WorkersView() {
  const workers = useLoad(() => api.workers(), []);
  const stats = useLoad(loadStats, []);
  const resources = useLoad(() => api.resources(), []);
  const now = useNow(10_000);
  const timer = useRef<number | null>(null);
  const onEvent = useCallback(
    (_e: TaskEvent) => {
      if (timer.current !== null) return;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        workers.reload();
        stats.reload();
        resources.reload();
      }, 1000);
    },
    [workers.reload, stats.reload, resources.reload],
  );
  useEvents(onEvent);
  const list = workers.data ?? [];
  const counts = { busy: 0, idle: 0, offline: 0 };
  for (const w of list) counts[w.health]++;

  return (
    <section aria-labelledby="workers-title">
      <h1 id="workers-title">Workers</h1>
      <ErrorNote error={workers.error} />
      <ul class="tiles" aria-label="availability">
        <li class="tile">
          <span class="tile-value">{list.filter((w) => w.online).length}</span> online
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
      {list.length ? (
        <div class="table-wrap">
          <table class="table">
            <caption class="sr-only">Workers, their health and load</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Health</th>
                <th scope="col">Capabilities</th>
                <th scope="col">Current tasks</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Done / hour</th>
                <th scope="col">Success rate</th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <WorkerRow key={w.id} w={w} s={stats.data?.get(w.id)} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {resources.data?.length ? <Resources list={resources.data} /> : null}
    </section>
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

function WorkerRow({ w, s, now }: { w: WorkerView; s: WorkerStats | undefined; now: number }) {
  const finished = (s?.done ?? 0) + (s?.failed ?? 0);
  return (
    <tr data-worker={w.id}>
      <th scope="row">
        {w.name ? (
          <>
            {w.name} <span class="muted small">{w.id}</span>
          </>
        ) : (
          w.id
        )}
        {w.host ? <div class="muted small">{w.host}</div> : null}
      </th>
      <td>
        <span class={`badge health health-${w.health}`}>{w.health}</span>
        {w.state === 'stopped' ? <span class="muted small"> stopped</span> : null}
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
      <td title={w.lastSeenAt}>{age(w.lastSeenAt, now)} ago</td>
      <td>{s?.lastHour ?? 0}</td>
      <td>{finished ? `${Math.round(((s?.done ?? 0) / finished) * 100)}% of ${finished}` : '—'}</td>
    </tr>
  );
}
