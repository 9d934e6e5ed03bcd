import type { TaskEvent } from '../api/types';
import { time } from '../lib/format';
import { timeline } from '../lib/timeline';

/** A task's history as sentences, newest first; repeated renewals and reports fold into one line. */
export function Timeline({ events }: { events: TaskEvent[] }) {
  if (!events.length) return <p class="muted">No history.</p>;
  const lines = timeline(events).reverse();
  return (
    <ol class="timeline">
      {lines.map((l) => (
        <li key={l.key} class={`tl-${l.tone}`} data-event={l.type} data-count={l.count}>
          <span class="tl-text">{l.text}</span>
          <span class="muted small tl-when">
            <time dateTime={l.at}>{time(l.at)}</time>
            {l.until ? (
              <>
                {' – '}
                <time dateTime={l.until}>{time(l.until)}</time>
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ol>
  );
}
