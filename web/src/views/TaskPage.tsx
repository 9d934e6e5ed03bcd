import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { scheduleNote } from '../../../src/core/schedule-note.js';
import { ApiError } from '../api/client';
import type { Task, TaskDetail, TaskEvent } from '../api/types';
import { DepGraph } from '../components/DepGraph';
import { ErrorNote } from '../components/ErrorNote';
import { Progress } from '../components/Progress';
import { type ActionAccess, TaskActions } from '../components/TaskActions';
import { PriorityBadge, StatusBadge } from '../components/TaskCard';
import { dependsOnText, skipReason } from '../lib/conditions';
import { age, minutes, time } from '../lib/format';
import { href } from '../lib/route';
import { api, useEvents } from '../lib/session';
import { type DependencyGraph, loadDetail, loadGraph, loadTree, type SubtaskTree } from './task-data';

interface PageData {
  detail: TaskDetail;
  tree: SubtaskTree[];
  graph: DependencyGraph | null;
}

export function TaskView({ id, access }: { id: number; access: ActionAccess }) {
  const [data, setData] = useState<PageData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const related = useRef(new Set<number>([id]));
  const timer = useRef<number | null>(null);

  const load = useCallback(async () => {
    try {
      const detail = await loadDetail(id);
      const [tree, graph] = await Promise.all([loadTree(id), loadGraph(detail.task).catch(() => null)]);
      related.current = new Set([id, ...flatten(tree), ...(graph?.nodes.map((n) => n.id) ?? [])]);
      setData({ detail, tree, graph });
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);

  useEffect(() => {
    setData(null);
    void load();
  }, [load]);

  // A change to this task, a subtask or a neighbour in the graph refreshes the page (coalesced).
  const onEvent = useCallback(
    (e: TaskEvent) => {
      if (e.taskId === null || !related.current.has(e.taskId)) return;
      if (timer.current === null) {
        timer.current = window.setTimeout(() => {
          timer.current = null;
          void load();
        }, 50);
      }
    },
    [load],
  );
  useEvents(onEvent);

  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <p class="muted">Loading task {id}…</p>;
  const { task, history } = data.detail;
  return (
    <article class="task-page" aria-labelledby="task-title">
      <header class="task-head">
        <p class="muted small">
          <a href={href('/')}>Board</a>
          {task.parentId ? (
            <>
              {' '}
              / <a href={href(`/tasks/${task.parentId}`)}>parent #{task.parentId}</a>
            </>
          ) : null}
        </p>
        <h1 id="task-title">
          <span class="muted">#{task.id}</span> {task.title}
        </h1>
        <div class="card-meta">
          <StatusBadge status={task.status} />
          <PriorityBadge priority={task.priority} />
          <span class="badge">{task.complexity}</span>
          <span class="badge">{task.type}</span>
          <span class="muted small">version {task.version}</span>
        </div>
        <Progress value={task.progress} label="progress" />
      </header>
      <ErrorNote error={error} />
      <div class="task-grid">
        <div class="task-main">
          {access !== 'none' ? (
            <section class="panel" aria-labelledby="actions-title">
              <h2 id="actions-title">Actions</h2>
              <TaskActions key={`${task.id}-${task.version}`} task={task} access={access} onChanged={() => void load()} />
            </section>
          ) : null}
          {data.tree.length ? (
            <section class="panel" aria-labelledby="subtasks-title">
              <h2 id="subtasks-title">Subtasks</h2>
              <Tree nodes={data.tree} />
            </section>
          ) : null}
          {task.status === 'skipped' ? (
            <p class="notice" role="status">
              <strong>Skipped:</strong> {skipReason(history)}
            </p>
          ) : null}
          {data.detail.waiting && data.detail.waiting.reason !== 'blocked' ? (
            <p class="notice" role="status">
              <strong>Not being taken:</strong> {data.detail.waiting.message}
            </p>
          ) : null}
          <section class="panel" aria-labelledby="deps-title">
            <h2 id="deps-title">Dependencies</h2>
            {data.graph ? <DepGraph graph={data.graph} current={task.id} /> : <p class="muted">Not available.</p>}
            {data.graph && data.graph.scanned < data.graph.scanTotal ? (
              <p class="muted small">Downstream searched among the newest {data.graph.scanned} tasks.</p>
            ) : null}
            {data.detail.blockedBy.length ? (
              <p>
                Waiting for:{' '}
                {data.detail.blockedBy.map((b) => (
                  <a key={b.id} class="chip" href={href(`/tasks/${b.id}`)}>
                    #{b.id} {b.status}
                  </a>
                ))}
              </p>
            ) : null}
          </section>
          <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <Timeline events={history} />
          </section>
          <LogTail id={task.id} status={task.status} />
        </div>
        <aside class="task-side">
          <section class="panel" aria-labelledby="fields-title">
            <h2 id="fields-title">Fields</h2>
            <Fields task={task} />
          </section>
          <Lists task={task} />
        </aside>
      </div>
    </article>
  );
}

function flatten(nodes: SubtaskTree[]): number[] {
  return nodes.flatMap((n) => [n.id, ...flatten(n.children)]);
}

function Tree({ nodes }: { nodes: SubtaskTree[] }) {
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

function Fields({ task }: { task: Task }) {
  const rows: [string, unknown][] = [
    ['Description', task.description],
    ['Capabilities', task.capabilities.join(', ') || null],
    ['Resources', (task.resources ?? []).join(', ') || null],
    ['Tags', task.tags.join(', ') || null],
    ['Assignee', task.assignee],
    ['Reserved for', task.reservedFor],
    ['Depends on', dependsOnText(task) || null],
    ['Estimate', task.estimateMinutes === null ? null : minutes(task.estimateMinutes)],
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
      {rows.map(([k, v]) => (
        <div key={k} class="field-row">
          <dt>{k}</dt>
          <dd class={k === 'Input' || k === 'Result' || k === 'Command' ? 'mono' : ''}>{show(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Lists({ task }: { task: Task }) {
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

function describeChange(key: string, [before, after]: [unknown, unknown]): string {
  const short = (v: unknown) => {
    const s = show(v);
    return s.length > 60 ? `${s.slice(0, 59)}…` : s;
  };
  if (before === null && Array.isArray(after)) return `${key} + ${short(after.length === 1 ? after[0] : after)}`;
  return `${key}: ${short(before)} → ${short(after)}`;
}

function Timeline({ events }: { events: TaskEvent[] }) {
  if (!events.length) return <p class="muted">No history.</p>;
  return (
    <ol class="timeline">
      {[...events].reverse().map((e) => (
        <li key={e.id}>
          <div class="timeline-head">
            <strong>{e.type.replace(/_/g, ' ')}</strong>
            <span class="muted small">
              {time(e.at)}
              {e.actor || e.workerId ? ` · ${e.actor ?? e.workerId}` : ''}
            </span>
          </div>
          {Object.keys(e.changes ?? {}).length ? (
            <ul class="changes">
              {Object.entries(e.changes).map(([k, v]) => (
                <li key={k}>{describeChange(k, v)}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function LogTail({ id, status }: { id: number; status: Task['status'] }) {
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
