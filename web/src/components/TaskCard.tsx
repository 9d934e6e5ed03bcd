import { scheduleNote } from '../../../src/core/schedule-note.js';
import type { Priority, Task } from '../api/types';
import { age, SLA_LABEL, slaState } from '../lib/format';
import { href } from '../lib/route';
import { Progress } from './Progress';

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <span class={`badge prio prio-${priority}`}>{priority}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status status-${status}`}>{status}</span>;
}

/** One card of the board: what a lead scans for — who, how far, how long, and whether it is late. */
export function TaskCard({ task, sla, now }: { task: Task; sla: Record<Priority, number | null>; now: number }) {
  const { state } = slaState(task, sla, now);
  const schedule = scheduleNote(task, now);
  const since = task.status === 'executing' ? task.startedAt : task.status === 'completed' ? task.completedAt : task.createdAt;
  return (
    <article class={`card sla-${state}`} data-task-id={task.id} aria-labelledby={`card-${task.id}`}>
      <h3 class="card-title" id={`card-${task.id}`}>
        <a href={href(`/tasks/${task.id}`)}>
          <span class="muted">#{task.id}</span> {task.title}
        </a>
      </h3>
      <div class="card-meta">
        <PriorityBadge priority={task.priority} />
        {task.status === 'assigned' ? <StatusBadge status="reserved" /> : null}
        <span class="muted" title={`since ${since ?? ''}`}>
          {age(since, now)}
        </span>
        {task.complexity === 'epic' || task.complexity === 'complex' ? <span class="badge">{task.complexity}</span> : null}
        {state !== 'none' ? <span class={`sla sla-${state}`}>{SLA_LABEL[state]}</span> : null}
      </div>
      {schedule ? <div class="card-schedule muted small">{schedule}</div> : null}
      {task.capabilities.length ? (
        <ul class="chips" aria-label="capabilities">
          {task.capabilities.map((c) => (
            <li key={c} class="chip">
              {c}
            </li>
          ))}
        </ul>
      ) : null}
      {task.assignee ? (
        <div class="card-assignee">
          <span class="muted">{task.status === 'assigned' ? 'reserved for' : 'by'}</span> {task.assignee}
        </div>
      ) : null}
      {task.status === 'executing' || task.status === 'paused' || (task.progress > 0 && task.progress < 100) ? (
        <Progress value={task.progress} label={`progress of task ${task.id}`} />
      ) : null}
    </article>
  );
}
