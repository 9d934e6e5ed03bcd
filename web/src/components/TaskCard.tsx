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

/** What the board knows about a card beyond the task itself. */
export interface CardContext {
  compact?: boolean;
  /** Broken into subtasks: its progress is theirs. */
  epic?: boolean;
  /** The dependency a blocked card waits for (its title once read). */
  blocker?: { id: number; title: string | null; more: number } | null;
  /** Reserved for a worker that is offline. */
  offlineReservation?: boolean;
  selected?: boolean;
  /** Selection by the card's checkbox; `range` when shift was held. */
  onSelect?: (range: boolean) => void;
  onDragStart?: (e: DragEvent) => void;
  onDragEnd?: () => void;
}

const ERROR_CHARS = 140;

/** One card of the board: what a lead scans for — who, how far, how long, whether it is late or stuck. */
export function TaskCard(props: { task: Task; sla: Record<Priority, number | null>; now: number } & CardContext) {
  const { task, sla, now, compact, epic } = props;
  const { state } = slaState(task, sla, now);
  const schedule = scheduleNote(task, now);
  const since = task.status === 'executing' ? task.startedAt : task.status === 'completed' ? task.completedAt : task.createdAt;
  const error = task.status === 'failed' && task.lastError ? task.lastError : null;
  const classes = ['card', `sla-${state}`, compact ? 'compact' : '', props.selected ? 'selected' : '', epic ? 'epic-card' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <article
      class={classes}
      data-task-id={task.id}
      data-status={task.status}
      aria-labelledby={`card-${task.id}`}
      draggable={Boolean(props.onDragStart)}
      onDragStart={props.onDragStart}
      onDragEnd={props.onDragEnd}
    >
      <div class="card-head">
        {props.onSelect ? (
          <input
            type="checkbox"
            class="card-select"
            aria-label={`select task ${task.id}`}
            checked={Boolean(props.selected)}
            onClick={(e) => props.onSelect?.(e.shiftKey)}
          />
        ) : null}
        <h3 class="card-title" id={`card-${task.id}`} title={task.title}>
          <a href={href(`/tasks/${task.id}`)} draggable={false}>
            <span class="muted">#{task.id}</span> {task.title}
          </a>
        </h3>
      </div>
      <div class="card-meta">
        <PriorityBadge priority={task.priority} />
        {epic ? <span class="badge epic">epic · {task.progress} %</span> : null}
        {task.status === 'assigned' ? <StatusBadge status="reserved" /> : null}
        {epic && task.status !== 'executing' ? <StatusBadge status={task.status} /> : null}
        <span class="muted" title={`since ${since ?? ''}`}>
          {age(since, now)}
        </span>
        {!epic && (task.complexity === 'epic' || task.complexity === 'complex') ? (
          <span class="badge">{task.complexity}</span>
        ) : null}
        {/* Compact cards say only a late task's SLA; the border's colour says the rest. */}
        {state !== 'none' && !(compact && state === 'ok') ? <span class={`sla sla-${state}`}>{SLA_LABEL[state]}</span> : null}
        {compact && task.assignee ? <span class="card-who">{task.assignee}</span> : null}
      </div>
      {props.offlineReservation ? (
        <p class="card-flag warn" title="Its reservation ends at the next sweep; reserve it for another worker meanwhile">
          reserved for {task.reservedFor} — offline
        </p>
      ) : null}
      {error ? (
        <p class="card-flag error" title={error}>
          {error.length > ERROR_CHARS ? `${error.slice(0, ERROR_CHARS - 1)}…` : error}
        </p>
      ) : null}
      {props.blocker ? (
        <p class="card-flag waits">
          waits for{' '}
          <a href={href(`/tasks/${props.blocker.id}`)} draggable={false}>
            #{props.blocker.id}
            {props.blocker.title ? ` ${props.blocker.title}` : ''}
          </a>
          {props.blocker.more > 0 ? <span class="muted"> +{props.blocker.more} more</span> : null}
        </p>
      ) : null}
      {!compact && schedule ? <div class="card-schedule muted small">{schedule}</div> : null}
      {!compact && task.capabilities.length ? (
        <ul class="chips" aria-label="capabilities">
          {task.capabilities.map((c) => (
            <li key={c} class="chip">
              {c}
            </li>
          ))}
        </ul>
      ) : null}
      {!compact && task.assignee && !props.offlineReservation ? (
        <div class="card-assignee">
          <span class="muted">{task.status === 'assigned' ? 'reserved for' : 'by'}</span> {task.assignee}
        </div>
      ) : null}
      {epic || task.status === 'executing' || (task.progress > 0 && task.progress < 100) ? (
        <Progress value={task.progress} label={`progress of task ${task.id}`} />
      ) : null}
    </article>
  );
}
