import { useCallback, useEffect } from 'preact/hooks';
import type { TaskEvent } from '../api/types';
import { useLoad } from '../lib/hooks';
import { api, useEvents } from '../lib/session';

/** How often open alerts are read again: a condition's alert may end without an event. */
const REFRESH_MS = 30_000;

/**
 * The alerts whose condition still holds (SLA breaches, workers offline holding work, …), as a
 * badge in the header that opens to their messages. Read again when one is raised.
 */
export function AlertsBadge() {
  const { data, reload } = useLoad(() => api.alerts({ open: true, limit: 20 }), []);
  const onEvent = useCallback((e: TaskEvent) => {
    if (e.type === 'alert_raised') reload();
  }, []);
  useEvents(onEvent);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  if (!data || data.length === 0) return null;
  return (
    <details class="alerts">
      <summary class="badge alert-badge" title="Open alerts">
        {data.length} {data.length === 1 ? 'alert' : 'alerts'}
      </summary>
      <ul class="alerts-list" aria-label="Open alerts">
        {data.map((a) => (
          <li key={a.id}>
            <span class="small muted">{new Date(a.raisedAt).toLocaleString()}</span> {a.message}
          </li>
        ))}
      </ul>
    </details>
  );
}
