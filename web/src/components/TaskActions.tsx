import { useState } from 'preact/hooks';
import type { Task } from '../api/types';
import { PRIORITIES } from '../api/types';
import { legalActions } from '../lib/actions';
import { api, getSession } from '../lib/session';
import { ErrorNote } from './ErrorNote';
import { WorkerPicker } from './WorkerPicker';

const REVIEWER_KEY = 'baton.reviewer';

/**
 * The buttons a task's state allows, and nothing else. A refusal the server still makes (a race
 * with a worker, a stale version) is shown as its message.
 */
export type ActionAccess = 'steer' | 'review' | 'none';

export function TaskActions({ task, access, onChanged }: { task: Task; access: ActionAccess; onChanged: (t: Task) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [info, setInfo] = useState('');
  // A worker key may only review (as itself); steering a task needs an admin key.
  const actions = legalActions(task).filter((a) => access === 'steer' || (access === 'review' && a === 'review'));
  const identity = getSession().identity;
  const [reviewer, setReviewer] = useState(identity?.workerId ?? localStorage.getItem(REVIEWER_KEY) ?? 'dashboard');
  const [feedback, setFeedback] = useState('');

  const run = async (label: string, call: () => Promise<Task>) => {
    setBusy(true);
    setError(null);
    setInfo('');
    try {
      const t = await call();
      setInfo(`${label}: done — task is now ${t.status}.`);
      onChanged(t);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (actions.length === 0) return <p class="muted">No action applies to a {task.status} task.</p>;
  return (
    <div class="actions">
      <div class="button-row">
        {actions.includes('pause') ? (
          <button
            type="button"
            disabled={busy}
            title={task.lease ? `Stops the work on ${task.lease.owner} now; resumed, the task goes back to the queue` : undefined}
            onClick={() => run('Pause', () => api.act(task.id, 'pause'))}
          >
            Pause
          </button>
        ) : null}
        {actions.includes('resume') ? (
          <button type="button" disabled={busy} onClick={() => run('Resume', () => api.act(task.id, 'resume'))}>
            Resume
          </button>
        ) : null}
        {actions.includes('retry') ? (
          <button type="button" disabled={busy} onClick={() => run('Retry', () => api.act(task.id, 'retry'))}>
            Retry
          </button>
        ) : null}
        {actions.includes('cancel') ? (
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() => {
              if (confirm(`Cancel task ${task.id}?`)) void run('Cancel', () => api.cancel(task.id));
            }}
          >
            Cancel task
          </button>
        ) : null}
      </div>
      {actions.includes('reprioritise') ? (
        <label class="field inline">
          <span>Priority</span>
          <select
            name="priority"
            disabled={busy}
            value={task.priority}
            onChange={(e) => {
              const priority = (e.target as HTMLSelectElement).value as Task['priority'];
              void run('Priority', () => api.updateTask(task.id, { priority }, task.version));
            }}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {actions.includes('assign') ? <WorkerPicker task={task} busy={busy} run={(label, call) => void run(label, call)} /> : null}
      {actions.includes('unassign') ? (
        <div class="button-row">
          <span class="muted">Reserved for {task.reservedFor}</span>
          <button type="button" disabled={busy} onClick={() => run('Unassign', () => api.unassign(task.id))}>
            Unassign
          </button>
        </div>
      ) : null}
      {actions.includes('review') ? (
        <fieldset class="review">
          <legend>Review</legend>
          <label class="field inline">
            <span>Reviewer</span>
            <input
              type="text"
              name="reviewer"
              value={reviewer}
              readOnly={Boolean(identity?.workerId)}
              onInput={(e) => {
                const v = (e.target as HTMLInputElement).value;
                setReviewer(v);
                localStorage.setItem(REVIEWER_KEY, v);
              }}
            />
          </label>
          <label class="field">
            <span>Feedback</span>
            <textarea
              name="feedback"
              rows={2}
              value={feedback}
              onInput={(e) => setFeedback((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <div class="button-row">
            <button
              type="button"
              class="primary"
              disabled={busy}
              onClick={() =>
                run('Review', () => api.review(task.id, { workerId: reviewer, pass: true, feedback: feedback || undefined }))
              }
            >
              Pass
            </button>
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() =>
                run('Review', () => api.review(task.id, { workerId: reviewer, pass: false, feedback: feedback || undefined }))
              }
            >
              Fail
            </button>
          </div>
        </fieldset>
      ) : null}
      <ErrorNote error={error} />
      {info ? (
        <p class="ok-note" role="status">
          {info}
        </p>
      ) : null}
    </div>
  );
}
