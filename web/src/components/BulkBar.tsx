import { useState } from 'preact/hooks';
import type { BulkAction } from '../api/client';
import type { Priority } from '../api/types';
import { PRIORITIES } from '../api/types';

const ACTIONS: { action: Exclude<BulkAction, 'update'>; label: string; danger?: boolean }[] = [
  { action: 'pause', label: 'Pause' },
  { action: 'resume', label: 'Resume' },
  { action: 'retry', label: 'Retry' },
  { action: 'cancel', label: 'Cancel', danger: true },
];

/**
 * The actions on the cards selected, each one call to `POST /tasks/bulk`: all of them change, or
 * none does and the refusal names the task in the way.
 */
export function BulkBar(props: {
  count: number;
  busy: boolean;
  onAction: (action: BulkAction, priority?: Priority) => void;
  onClear: () => void;
}) {
  const [priority, setPriority] = useState('');
  return (
    <div class="bulk-bar" role="toolbar" aria-label="act on selected tasks">
      <strong>{props.count} selected</strong>
      {ACTIONS.map((a) => (
        <button
          key={a.action}
          type="button"
          class={a.danger ? 'danger' : undefined}
          disabled={props.busy}
          onClick={() => {
            if (a.action === 'cancel' && !confirm(`Cancel ${props.count} task${props.count === 1 ? '' : 's'}?`)) return;
            props.onAction(a.action);
          }}
        >
          {a.label}
        </button>
      ))}
      <label class="field inline">
        <span>Priority</span>
        <select
          name="bulk-priority"
          disabled={props.busy}
          value={priority}
          onChange={(e) => {
            const p = (e.target as HTMLSelectElement).value;
            setPriority('');
            if (p) props.onAction('update', p as Priority);
          }}
        >
          <option value="">set…</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="link" onClick={props.onClear}>
        Clear selection
      </button>
    </div>
  );
}
