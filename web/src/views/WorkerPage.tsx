import { useCallback, useRef, useState } from 'preact/hooks';
import type { TaskEvent } from '../api/types';
import { type TaskBrief, workerDetail } from '../api/views';
import { ErrorNote } from '../components/ErrorNote';
import { Progress } from '../components/Progress';
import { StatusBadge } from '../components/TaskCard';
import { age, duration, time, workerUsage } from '../lib/format';
import { useLoad, useNow } from '../lib/hooks';
import { href } from '../lib/route';
import { useEvents } from '../lib/session';
import { LogTail } from './TaskFields';

/** One worker: what it holds now, what it finished lately and how that went, and its output. */
export function WorkerView({ id }: { id: string }) {
  const data = useLoad(() => workerDetail(id), [id]);
  const now = useNow(10_000);
  const [logOf, setLogOf] = useState<number | null>(null);
  const timer = useRef<number | null>(null);
  const onEvent = useCallback(
    (e: TaskEvent) => {
      if (timer.current !== null || (e.workerId !== id && e.taskId === null)) return;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        data.reload();
      }, 1000);
    },
    [data.reload, id],
  );
  useEvents(onEvent);
  if (data.error && !data.data) return <ErrorNote error={data.error} />;
  const d = data.data;
  if (!d) return <p class="muted">Loading worker {id}…</p>;
  const w = d.worker;
  const r = d.record;
  const tasks = [...d.current, ...d.recent];
  const shownLog = tasks.find((t) => t.id === logOf) ?? tasks[0];
  return (
    <article class="worker-page" aria-labelledby="worker-title">
      <p class="muted small">
        <a href={href('/workers')}>Workers</a>
      </p>
      <h1 id="worker-title">
        {w.name ? `${w.name} ` : ''}
        <span class={w.name ? 'muted' : undefined}>{w.id}</span> <span class={`badge health health-${w.health}`}>{w.health}</span>
      </h1>
      <p class="muted">
        {w.state === 'stopped' ? 'Stopped · ' : ''}last heartbeat {age(w.lastSeenAt, now)} ago · runs {w.concurrency} at a time ·
        can do {w.capabilities.join(', ') || 'any task'}
        {w.host ? ` · ${w.host}${w.pid ? ` (pid ${w.pid})` : ''}` : ''}
        {w.version ? ` · Baton ${w.version}` : ''}
        {w.usage && w.online ? ` · uses ${workerUsage(w)}` : ''} · registered {time(w.registeredAt)}
      </p>
      <ul class="tiles" aria-label="record">
        <li class="tile">
          <span class="tile-value" data-testid="success-rate">
            {r.successRate === null ? '—' : `${Math.round(r.successRate * 100)}%`}
          </span>{' '}
          success over its last {r.sample} finished
        </li>
        <li class="tile">
          <span class="tile-value">{r.completed}</span> completed
        </li>
        <li class="tile">
          <span class="tile-value">{r.failed}</span> failed
        </li>
        <li class="tile">
          <span class="tile-value">{r.medianRunSeconds === null ? '—' : duration(r.medianRunSeconds * 1000)}</span> median run
        </li>
      </ul>
      <section class="panel" aria-labelledby="current-title">
        <h2 id="current-title">Current tasks</h2>
        {d.current.length ? <Briefs tasks={d.current} now={now} current /> : <p class="muted">Holds nothing now.</p>}
      </section>
      <section class="panel" aria-labelledby="recent-title">
        <h2 id="recent-title">Recent tasks</h2>
        {d.recent.length ? <Briefs tasks={d.recent} now={now} /> : <p class="muted">Has finished nothing yet.</p>}
      </section>
      {shownLog ? (
        <div class="worker-logs">
          <label class="field inline">
            <span>Output of</span>
            <select value={String(shownLog.id)} onChange={(e) => setLogOf(Number((e.target as HTMLSelectElement).value))}>
              {tasks.map((t) => (
                <option key={t.id} value={String(t.id)}>
                  #{t.id} {t.title} ({t.status})
                </option>
              ))}
            </select>
          </label>
          <LogTail key={shownLog.id} id={shownLog.id} status={shownLog.status} />
        </div>
      ) : null}
    </article>
  );
}

function Briefs({ tasks, now, current = false }: { tasks: TaskBrief[]; now: number; current?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">{current ? 'Progress' : 'Finished'}</th>
            <th scope="col">{current ? 'Started' : 'Ran'}</th>
            {current ? null : <th scope="col">Error</th>}
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.id} data-task-row={t.id}>
              <th scope="row">
                <a href={href(`/tasks/${t.id}`)}>
                  <span class="muted">#{t.id}</span> {t.title}
                </a>
              </th>
              <td>
                <StatusBadge status={t.status} />
              </td>
              <td>
                {current ? <Progress value={t.progress} label={`progress of task ${t.id}`} /> : `${age(t.finishedAt, now)} ago`}
              </td>
              <td>
                {current
                  ? t.startedAt
                    ? `${age(t.startedAt, now)} ago`
                    : '—'
                  : t.runSeconds === null
                    ? '—'
                    : duration(t.runSeconds * 1000)}
              </td>
              {current ? null : <td class="small">{t.status === 'failed' ? (t.lastError ?? '') : ''}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
