import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Task, TaskEvent } from '../api/types';
import { AssignmentPanel } from '../components/AssignmentPanel';
import { DependencyEditor } from '../components/DependencyEditor';
import { DepGraph } from '../components/DepGraph';
import { ErrorNote } from '../components/ErrorNote';
import { Progress } from '../components/Progress';
import { type ActionAccess, TaskActions } from '../components/TaskActions';
import { PriorityBadge, StatusBadge } from '../components/TaskCard';
import { DescriptionEditor, TitleEditor } from '../components/TaskEditors';
import { Timeline } from '../components/Timeline';
import { skipReason } from '../lib/conditions';
import { href } from '../lib/route';
import { useEvents } from '../lib/session';
import { BurndownPanel } from './Burndown';
import { Fields, flatten, Lists, LogTail, Tree } from './TaskFields';
import { type DependencyGraph, loadDetail, loadGraph, loadTree, type SubtaskTree } from './task-data';

interface PageData {
  detail: Awaited<ReturnType<typeof loadDetail>>;
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
  const refresh = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      void load();
    }, 50);
  }, [load]);
  const onEvent = useCallback(
    (e: TaskEvent) => {
      if (e.taskId !== null && related.current.has(e.taskId)) refresh();
    },
    [refresh],
  );
  useEvents(onEvent);

  // A saved edit shows at once; the reload that follows brings its history and neighbours.
  const onSaved = useCallback(
    (task: Task) => {
      setData((d) => (d && task.version >= d.detail.task.version ? { ...d, detail: { ...d.detail, task } } : d));
      refresh();
    },
    [refresh],
  );
  const known = useMemo(() => new Map((data?.graph?.nodes ?? []).map((n) => [n.id, n])), [data?.graph]);

  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <p class="muted">Loading task {id}…</p>;
  const { task, history } = data.detail;
  const canEdit = access === 'steer';
  const edit = { task, canEdit, onSaved };
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
        <TitleEditor {...edit} />
        <div class="card-meta">
          <StatusBadge status={task.status} />
          <PriorityBadge priority={task.priority} />
          <span class="badge">{task.complexity}</span>
          <span class="badge">{task.type}</span>
          <span class="muted small" data-version={task.version}>
            version {task.version}
          </span>
        </div>
        <Progress value={task.progress} label="progress" />
      </header>
      <ErrorNote error={error} />
      <div class="task-grid">
        <div class="task-main">
          {access !== 'none' ? (
            <section class="panel" aria-labelledby="actions-title">
              <h2 id="actions-title">Actions</h2>
              <TaskActions key={`${task.id}-${task.version}`} task={task} access={access} onChanged={onSaved} />
            </section>
          ) : null}
          <DescriptionEditor {...edit} />
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
          {data.tree.length ? (
            <section class="panel" aria-labelledby="subtasks-title">
              <h2 id="subtasks-title">Subtasks</h2>
              <Tree nodes={data.tree} />
            </section>
          ) : null}
          {data.tree.length ? <BurndownPanel id={task.id} version={task.version} /> : null}
          <section class="panel" aria-labelledby="deps-title">
            <h2 id="deps-title">Dependencies</h2>
            <DependencyEditor {...edit} known={known} />
            {data.graph ? <DepGraph graph={data.graph} current={task.id} /> : <p class="muted">Graph not available.</p>}
            {data.graph && data.graph.scanned < data.graph.scanTotal ? (
              <p class="muted small">Downstream searched among the newest {data.graph.scanned} tasks.</p>
            ) : null}
          </section>
          <AssignmentPanel id={task.id} version={task.version} bids={data.detail.bids ?? []} />
          <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <Timeline events={history} />
          </section>
          <LogTail id={task.id} status={task.status} />
        </div>
        <aside class="task-side">
          <section class="panel" aria-labelledby="fields-title">
            <h2 id="fields-title">Fields</h2>
            <Fields {...edit} />
          </section>
          <Lists task={task} />
        </aside>
      </div>
    </article>
  );
}
