import { useState } from 'preact/hooks';
import type { Task, WorkerView } from '../api/types';
import { assignTask } from '../api/views';
import { useLoad } from '../lib/hooks';
import { api } from '../lib/session';

const HEALTH_ORDER = { idle: 0, busy: 1, offline: 2 } as const;

/** Registered workers, the ones that could take the task now first. */
export function rankWorkers(workers: readonly WorkerView[], task: Pick<Task, 'capabilities'>) {
  const lacks = (w: WorkerView) => task.capabilities.filter((c) => !w.capabilities.includes(c));
  return [...workers]
    .map((w) => ({ worker: w, lacks: lacks(w) }))
    .sort(
      (a, b) =>
        a.lacks.length - b.lacks.length ||
        HEALTH_ORDER[a.worker.health] - HEALTH_ORDER[b.worker.health] ||
        a.worker.id.localeCompare(b.worker.id),
    );
}

/**
 * Reserve a task for one registered worker, picked from the list (a typed id is almost always a
 * typo). One lacking a capability the task needs is refused unless "reserve anyway" is ticked.
 */
export function WorkerPicker({
  task,
  run,
  busy,
}: {
  task: Task;
  run: (label: string, call: () => Promise<Task>) => void;
  busy: boolean;
}) {
  const workers = useLoad(() => api.workers(), []);
  const ranked = rankWorkers(workers.data ?? [], task);
  const [chosen, setChosen] = useState(task.reservedFor ?? '');
  const [force, setForce] = useState(false);
  const pick = chosen || ranked[0]?.worker.id || '';
  const lacking = ranked.find((r) => r.worker.id === pick)?.lacks ?? [];
  if (workers.data && ranked.length === 0)
    return <p class="muted small">No worker has registered yet: there is nobody to reserve it for.</p>;
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (pick) run('Assign', () => assignTask(task.id, pick, force && lacking.length > 0));
      }}
    >
      <label class="field inline">
        <span>Reserve for worker</span>
        <select
          name="assign-worker"
          value={pick}
          disabled={busy || !workers.data}
          onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}
        >
          {ranked.map(({ worker: w, lacks }) => (
            <option key={w.id} value={w.id}>
              {w.id}
              {w.name ? ` (${w.name})` : ''} — {w.health}
              {lacks.length ? `, lacks ${lacks.join(', ')}` : ''}
            </option>
          ))}
        </select>
      </label>
      {lacking.length ? (
        <label class="field inline small">
          <input type="checkbox" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} />
          <span>Reserve anyway (it lacks {lacking.join(', ')})</span>
        </label>
      ) : null}
      <button type="submit" disabled={busy || !pick}>
        Assign
      </button>
    </form>
  );
}
