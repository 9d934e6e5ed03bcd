import { useEffect, useState } from 'preact/hooks';
import { scheduleNote } from '../../../src/core/schedule-note.js';
import { ApiError } from '../api/client';
import type { Task } from '../api/types';
import { Progress } from '../components/Progress';
import { StatusBadge } from '../components/TaskCard';
import { type EditorProps, EstimateEditor, NamesEditor } from '../components/TaskEditors';
import { age, minutes, time } from '../lib/format';
import { href } from '../lib/route';
import { api } from '../lib/session';
import type { SubtaskTree } from './task-data';

/** The parts of the task page that show what a task holds: fields, lists, subtasks, its log. */

export function flatten(nodes: SubtaskTree[]): number[] {
  return nodes.flatMap((n) => [n.id, ...flatten(n.children)]);
}

export function Tree({ nodes }: { nodes: SubtaskTree[] }) {
  return (
    <ul class="tree">
      {nodes.map((n) => (
        <li key={n.id}>
          <div class="tree-row">
            <a href={href(`/tasks/${n.id}`)}>
              <span class="muted">#{n.id}</span> {n.title}
            </a>
            <StatusBadge status={n.status} />
            <span class="muted small">{minutes(n.estimateMinutes)}</span>
            <Progress value={n.progress} label={`progress of task ${n.id}`} />
          </div>
          {n.children.length ? <Tree nodes={n.children} /> : null}
        </li>
      ))}
    </ul>
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A swarm's parent (size and merge) or one of its attempts. */
function swarmText(task: Task): string | null {
  const s = task.swarm;
  if (!s) return null;
  if (s.role === 'attempt') return `attempt ${s.attempt} of #${s.of}`;
  return `${s.size} attempts by different workers, merged by ${s.merge === 'command' ? `the command ${s.mergeCommand}` : s.merge}`;
}

export function Fields({ task, canEdit, onSaved }: EditorProps) {
  const rows: [string, unknown][] = [
    ['Resources', (task.resources ?? []).join(', ') || null],
    ['Queue', task.queue ?? 'default'],
    ['Team', task.team ?? null],
    ['Collaborators', (task.collaborators ?? []).join(', ') || null],
    ['Swarm', swarmText(task)],
    ['Input from', task.inputFrom ? `#${task.inputFrom} (its result, once it completes)` : null],
    ['Assignee', task.assignee],
    ['Reserved for', task.reservedFor],
    ['Attempts', `${task.attempts} (retries ${task.retries} of ${task.maxRetries})`],
    ['Last error', task.lastError],
    ['Command', task.command],
    ['Input', task.input],
    ['Result', task.result],
    [
      'Review',
      task.review
        ? `${task.review.verdict ?? 'pending'}${task.review.reviewer ? ` by ${task.review.reviewer}` : ''}${task.review.score !== null ? `, score ${task.review.score}` : ''}${task.review.feedback ? `: ${task.review.feedback}` : ''}`
        : null,
    ],
    ['Lease', task.lease ? `${task.lease.owner}, token ${task.lease.token}, until ${time(task.lease.expiresAt)}` : null],
    ['Created', `${time(task.createdAt)}${task.createdBy ? ` by ${task.createdBy}` : ''} (${age(task.createdAt)} ago)`],
    ['Started', time(task.startedAt)],
    ['Completed', time(task.completedAt)],
    ['Run after', time(task.runAfter)],
    ['Schedule', scheduleNote(task, Date.now())],
    [
      'Recurrence',
      task.recurrence?.templateId ? `occurrence of #${task.recurrence.templateId}, for ${time(task.recurrence.fireAt)}` : null,
    ],
    ['Updated', time(task.updatedAt)],
  ];
  return (
    <dl class="fields">
      <NamesEditor task={task} canEdit={canEdit} onSaved={onSaved} field="capabilities" />
      <NamesEditor task={task} canEdit={canEdit} onSaved={onSaved} field="tags" />
      <EstimateEditor task={task} canEdit={canEdit} onSaved={onSaved} />
      {rows.map(([k, v]) => (
        <div key={k} class="field-row">
          <dt>{k}</dt>
          <dd class={k === 'Input' || k === 'Result' || k === 'Command' ? 'mono' : ''}>{show(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Lists({ task }: { task: Task }) {
  return (
    <>
      <section class="panel" aria-labelledby="notes-title">
        <h2 id="notes-title">Notes</h2>
        {task.notes.length ? (
          <ul class="plain">
            {task.notes.map((n, i) => (
              <li key={i}>
                <span class="muted small">
                  {time(n.at)} · {n.by}
                </span>
                <div>{n.text}</div>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">None.</p>
        )}
      </section>
      <section class="panel" aria-labelledby="checkpoints-title">
        <h2 id="checkpoints-title">Checkpoints</h2>
        {task.checkpoints.length ? (
          <ol class="plain">
            {task.checkpoints.map((c, i) => (
              <li key={i}>
                {c.name}{' '}
                <span class="muted small">
                  ({c.progress}% · {time(c.at)} · {c.by})
                </span>
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">None.</p>
        )}
      </section>
      <section class="panel" aria-labelledby="artifacts-title">
        <h2 id="artifacts-title">Artifacts</h2>
        {task.artifacts.length ? (
          <ul class="plain mono">
            {task.artifacts.map((a, i) => (
              <li key={i}>
                {a.path} <span class="muted small">({a.by})</span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">None.</p>
        )}
      </section>
    </>
  );
}

export function LogTail({ id, status }: { id: number; status: Task['status'] }) {
  const [text, setText] = useState<string | null>(null);
  const [missing, setMissing] = useState<'none' | 'forbidden' | false>(false);
  useEffect(() => {
    let live = true;
    // The log is asked for only when the server keeps one: a task run elsewhere (or not yet) has
    // none, and asking anyway would put a 404 in the console of every such page.
    const read = async () => {
      try {
        const kept = await api.logAttempts(id);
        // Logs are for admins and the task's workers unless the server opens them to every key.
        if (!kept.readable || kept.attempts.length === 0) {
          if (live) setMissing(kept.readable ? 'none' : 'forbidden');
          return;
        }
        const t = await api.logTail(id);
        if (!live) return;
        setMissing(false);
        setText(t.split('\n').slice(-100).join('\n'));
      } catch (err: unknown) {
        if (live) setMissing(err instanceof ApiError && err.code === 'forbidden' ? 'forbidden' : 'none');
      }
    };
    void read();
    const timer = status === 'executing' ? setInterval(read, 2000) : null;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [id, status]);
  return (
    <section class="panel" aria-labelledby="log-title">
      <h2 id="log-title">Log tail</h2>
      {missing === 'forbidden' ? (
        <p class="muted">Only admins and the workers that ran this task may read its output.</p>
      ) : missing ? (
        <p class="muted">No output kept on the server for this task.</p>
      ) : text === null ? (
        <p class="muted">Loading…</p>
      ) : text ? (
        <pre class="log">{text}</pre>
      ) : (
        <p class="muted">Empty.</p>
      )}
    </section>
  );
}
