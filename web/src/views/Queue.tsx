import { useCallback, useRef } from 'preact/hooks';
import type { TaskEvent } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { PriorityBadge } from '../components/TaskCard';
import { duration, SLA_LABEL, slaState } from '../lib/format';
import { useLoad, useNow, useSla } from '../lib/hooks';
import { href } from '../lib/route';
import { api, useEvents } from '../lib/session';

const LIMIT = 200;

/** Ready tasks in the order workers will receive them (the server's claim order). */
export function QueueView() {
  const page = useLoad(() => api.listTasks({ ready: true, limit: LIMIT }), []);
  const status = useLoad(() => api.status(), []);
  const sla = useSla();
  const now = useNow(5_000);
  const timer = useRef<number | null>(null);
  const onEvent = useCallback(
    (_e: TaskEvent) => {
      if (timer.current !== null) return;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        page.reload();
        status.reload();
      }, 300);
    },
    [page.reload, status.reload],
  );
  useEvents(onEvent);
  const tasks = page.data?.tasks ?? [];
  const rows = tasks.map((t) => ({ t, ...slaState(t, sla, now) }));
  const breached = rows.filter((r) => r.state === 'breached').length;
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Queue</h1>
      <ErrorNote error={page.error} />
      {page.data ? (
        <p>
          <strong>{page.data.total}</strong> ready to claim{page.data.total > LIMIT ? `, first ${LIMIT} shown` : ''};{' '}
          <strong class={breached ? 'text-bad' : ''}>{breached}</strong> past their SLA.
        </p>
      ) : null}
      {status.data?.stuck?.messages.length ? (
        <div class="notice" role="status" aria-label="Stuck work">
          <strong>Stuck:</strong>
          <ul>
            {status.data.stuck.messages.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {page.data && !tasks.length ? <p class="muted">Nothing is waiting.</p> : null}
      {tasks.length ? (
        <div class="table-wrap">
          <table class="table">
            <caption class="sr-only">Ready tasks in claim order</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Task</th>
                <th scope="col">Priority</th>
                <th scope="col">Capabilities</th>
                <th scope="col">Reserved for</th>
                <th scope="col">Waiting</th>
                <th scope="col">SLA</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ t, state, waitedMs }, i) => (
                <tr key={t.id} class={`sla-row-${state}`} data-task-row={t.id}>
                  <td>{i + 1}</td>
                  <td>
                    <a href={href(`/tasks/${t.id}`)}>
                      <span class="muted">#{t.id}</span> {t.title}
                    </a>
                  </td>
                  <td>
                    <PriorityBadge priority={t.priority} />
                  </td>
                  <td>{t.capabilities.join(', ') || '—'}</td>
                  <td>{t.reservedFor ?? '—'}</td>
                  <td>{duration(waitedMs)}</td>
                  <td>{state === 'none' ? '—' : <span class={`sla sla-${state}`}>{SLA_LABEL[state]}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
