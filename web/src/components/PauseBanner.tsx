import { useCallback, useRef } from 'preact/hooks';
import type { QueuesReport, TaskEvent } from '../api/types';
import { useLoad } from '../lib/hooks';
import { api, useEvents } from '../lib/session';

/** Reloads the queues report after a pause, a resume or any task change (at most once a second). */
export function useQueues() {
  const queues = useLoad(() => api.queues(), []);
  const timer = useRef<number | null>(null);
  const onEvent = useCallback(
    (_e: TaskEvent) => {
      if (timer.current !== null) return;
      timer.current = window.setTimeout(() => {
        timer.current = null;
        queues.reload();
      }, 1000);
    },
    [queues.reload],
  );
  useEvents(onEvent);
  return queues;
}

/** What a paused system or queue means, above the board: nothing new starts, running work may finish. */
export function PauseBanner({ report }: { report: QueuesReport | null | undefined }) {
  if (!report || report.pauses.length === 0) return null;
  const queues = report.pauses.flatMap((p) => (p.queue === null ? [] : [p.queue]));
  const what = report.paused
    ? 'Claims are paused for the whole system'
    : `Claims are paused for queue${queues.length === 1 ? '' : 's'} ${queues.join(', ')}`;
  return (
    <div class="pause-banner" role="status" data-paused={report.paused ? 'system' : queues.join(',')}>
      <strong>{what}.</strong> Workers get no new tasks; tasks already executing keep running and may finish. Resume with{' '}
      <code>baton system resume{report.paused ? '' : ` --queue ${queues[0]}`}</code>.
    </div>
  );
}
