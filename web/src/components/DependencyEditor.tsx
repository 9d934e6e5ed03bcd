import { useState } from 'preact/hooks';
import { can } from '../../../src/core/lifecycle.js';
import type { Task } from '../api/types';
import { addDependency, removeDependency } from '../api/views';
import { isConflict } from '../lib/edit';
import { href } from '../lib/route';
import type { GraphNode } from '../views/task-data';
import { ErrorNote } from './ErrorNote';
import { StatusBadge } from './TaskCard';
import type { EditorProps } from './TaskEditors';
import { TaskPicker } from './TaskPicker';

const FOLD = 8;

/**
 * The tasks this one waits for, each removable, and a search to add one. Each change is sent at
 * the version shown, so one made elsewhere meanwhile is refused rather than overwritten.
 */
export function DependencyEditor({ task, canEdit, onSaved, known }: EditorProps & { known: ReadonlyMap<number, GraphNode> }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<Task>) => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await call());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const mayAdd = can(task, 'depend') && task.pausedFrom !== 'executing';
  // A long list folds: the graph below shows them all anyway.
  const [all, setAll] = useState(false);
  const shown = all ? task.dependsOn : task.dependsOn.slice(0, FOLD);
  return (
    <div class="deps">
      {task.dependsOn.length ? (
        <ul class="dep-list" aria-label="depends on">
          {shown.map((id) => {
            const node = known.get(id);
            const condition = task.conditions.find((c) => c.on === id);
            return (
              <li key={id} data-dep={id}>
                <a href={href(`/tasks/${id}`)}>
                  <span class="muted">#{id}</span> {node?.title ?? ''}
                </a>{' '}
                {node ? <StatusBadge status={node.status} /> : null}
                {condition ? <code class="small"> if {condition.if}</code> : null}
                {canEdit ? (
                  <button
                    type="button"
                    class="link small"
                    aria-label={`Remove dependency #${id}`}
                    disabled={busy}
                    onClick={() => void run(() => removeDependency(task.id, id, task.version))}
                  >
                    Remove
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : (
        <p class="muted">Waits for nothing.</p>
      )}
      {task.dependsOn.length > FOLD ? (
        <button type="button" class="link small dep-more" aria-expanded={all} onClick={() => setAll((v) => !v)}>
          {all ? 'Show fewer' : `Show all ${task.dependsOn.length} dependencies`}
        </button>
      ) : null}
      {canEdit && mayAdd ? (
        <TaskPicker
          label="Add a dependency"
          exclude={[task.id, ...task.dependsOn]}
          disabled={busy}
          onPick={(t) => void run(() => addDependency(task.id, t.id, task.version))}
        />
      ) : canEdit ? (
        <p class="muted small">A dependency can be added only before work starts.</p>
      ) : null}
      <ErrorNote error={error} />
      {isConflict(error) ? (
        <p class="small conflict" role="status">
          The task changed since this page showed it; the page now shows its current state. Try again if it still applies.
        </p>
      ) : null}
    </div>
  );
}
