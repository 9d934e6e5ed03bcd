import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Task, TaskEvent, TaskStatus } from '../api/types';
import { PRIORITIES } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { TaskCard } from '../components/TaskCard';
import { useNow, useSla } from '../lib/hooks';
import { navigate, type Route } from '../lib/route';
import { api, useEvents } from '../lib/session';
import {
  COLUMNS,
  type ColumnData,
  type ColumnDef,
  columnOf,
  type Filters,
  filtersOf,
  hasMore,
  loadColumn,
  loadMore,
  matches,
  placeTask,
} from './board-data';

type Board = Record<string, ColumnData>;

/** Re-reads changed tasks in small batches, so a burst of events costs a few requests, not one each. */
function useLiveTasks(onTasks: (tasks: { task: Task; before: TaskStatus | null | undefined }[]) => void, onBurst: () => void) {
  const pending = useRef(new Map<number, TaskStatus | null | undefined>());
  const timer = useRef<number | null>(null);
  const flush = useCallback(async () => {
    timer.current = null;
    const batch = [...pending.current.entries()];
    pending.current.clear();
    if (batch.length > 40) return onBurst();
    const got = await Promise.all(
      batch.map(async ([id, before]) => {
        try {
          return { task: await api.getTask(id), before };
        } catch {
          return null;
        }
      }),
    );
    onTasks(got.filter((g): g is { task: Task; before: TaskStatus | null | undefined } => g !== null));
  }, [onTasks, onBurst]);
  return useCallback(
    (e: TaskEvent) => {
      if (e.taskId === null || e.taskId === undefined) return;
      const change = e.changes?.status as [TaskStatus | null, TaskStatus] | undefined;
      const before = e.type === 'created' ? null : change?.[0];
      if (!pending.current.has(e.taskId)) pending.current.set(e.taskId, before);
      if (timer.current === null) timer.current = window.setTimeout(flush, 16);
    },
    [flush],
  );
}

export function BoardView({ route }: { route: Route }) {
  const filters = useMemo(() => filtersOf(route.params), [route.params.toString()]);
  const showCancelled = route.params.get('cancelled') === '1';
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState<unknown>(null);
  const known = useRef(new Map<number, TaskStatus>());
  const sla = useSla(board !== null);
  const now = useNow(15_000);

  const remember = (tasks: Task[]) => {
    for (const t of tasks) known.current.set(t.id, t.status);
  };

  const reload = useCallback(async () => {
    try {
      const cols = await Promise.all(COLUMNS.map(async (c) => [c.key, await loadColumn(c, filters)] as const));
      for (const [, d] of cols) remember(d.tasks);
      setBoard(Object.fromEntries(cols));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [filters]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const onTasks = useCallback(
    (updates: { task: Task; before: TaskStatus | null | undefined }[]) => {
      setBoard((b) => {
        if (!b) return b;
        let next = b;
        for (const { task, before } of updates) {
          const prev = known.current.has(task.id) ? known.current.get(task.id) : before;
          known.current.set(task.id, task.status);
          next = placeTask(next, task, filters);
          next = adjustTotals(next, prev, task, filters);
        }
        return next;
      });
    },
    [filters],
  );
  const onEvent = useLiveTasks(onTasks, reload);
  useEvents(onEvent);

  const setFilter = (key: keyof Filters | 'cancelled', value: string) => {
    const params = Object.fromEntries(route.params.entries());
    params[key] = value;
    navigate('/', params, true);
  };

  const visible = COLUMNS.filter(
    (c) => !c.optional || (c.optional === 'when-used' ? (board?.[c.key]?.total ?? 0) > 0 : showCancelled),
  );

  return (
    <div class="board-view">
      <FilterBar filters={filters} showCancelled={showCancelled} onChange={setFilter} />
      <ErrorNote error={error} />
      {board === null && !error ? <p class="muted">Loading the board…</p> : null}
      {board ? (
        <div class="board">
          {visible.map((col) => (
            <Column
              key={col.key}
              col={col}
              data={board[col.key] as ColumnData}
              filters={filters}
              sla={sla}
              now={now}
              onMore={async () => {
                const more = await loadMore(col, filters, board[col.key] as ColumnData);
                remember(more.tasks);
                setBoard((b) => (b ? { ...b, [col.key]: more } : b));
              }}
            />
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** Keeps column counts right as tasks move, without re-counting on the server for every event. */
function adjustTotals(board: Board, before: TaskStatus | null | undefined, task: Task, f: Filters): Board {
  const to = columnOf(task.status).key;
  const from = before ? columnOf(before).key : null;
  if (before === undefined || from === to) return board;
  if (f.tag || f.worker) return board;
  const next = { ...board };
  const bump = (key: string, by: number) => {
    const d = next[key];
    if (d) next[key] = { ...d, total: Math.max(0, d.total + by) };
  };
  if (from) bump(from, -1);
  bump(to, 1);
  return next;
}

function Column(props: {
  col: ColumnDef;
  data: ColumnData;
  filters: Filters;
  sla: ReturnType<typeof useSla>;
  now: number;
  onMore: () => Promise<void>;
}) {
  const { col, data, filters } = props;
  const [busy, setBusy] = useState(false);
  const shown = data.tasks.filter((t) => matches(t, filters));
  const clientFiltered = Boolean(filters.q || filters.cap || filters.priority);
  const id = `col-${col.key}`;
  return (
    <section class={`column column-${col.key}`} aria-labelledby={id} data-column={col.key}>
      <h2 id={id} class="column-title">
        {col.label} <span class="count">{data.total}</span>
      </h2>
      {clientFiltered ? (
        <p class="muted small">
          {shown.length} of {data.tasks.length} loaded match
        </p>
      ) : null}
      <div class="column-cards">
        {shown.map((t) => (
          <TaskCard key={t.id} task={t} sla={props.sla} now={props.now} />
        ))}
        {shown.length === 0 ? <p class="empty">No tasks</p> : null}
      </div>
      {hasMore(col, data) ? (
        <button
          type="button"
          class="more"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await props.onMore();
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? 'Loading…' : `Show more (${Math.max(0, data.total - data.tasks.length)} not shown)`}
        </button>
      ) : null}
    </section>
  );
}

function FilterBar(props: {
  filters: Filters;
  showCancelled: boolean;
  onChange: (key: keyof Filters | 'cancelled', value: string) => void;
}) {
  const { filters: f, onChange } = props;
  const [q, setQ] = useState(f.q);
  useEffect(() => setQ(f.q), [f.q]);
  useEffect(() => {
    if (q === f.q) return;
    const t = setTimeout(() => onChange('q', q), 250);
    return () => clearTimeout(t);
  }, [q]);
  const text = (key: 'tag' | 'cap' | 'worker', label: string) => (
    <label class="field">
      <span>{label}</span>
      <input
        type="text"
        name={key}
        value={f[key]}
        onChange={(e) => onChange(key, (e.target as HTMLInputElement).value.trim())}
        placeholder="any"
      />
    </label>
  );
  return (
    <form class="filters" aria-label="filter tasks" onSubmit={(e) => e.preventDefault()}>
      <label class="field grow">
        <span>Search</span>
        <input
          type="search"
          name="q"
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          placeholder="title, #id…"
        />
      </label>
      {text('tag', 'Tag')}
      {text('cap', 'Capability')}
      {text('worker', 'Worker')}
      <label class="field">
        <span>Priority</span>
        <select name="priority" value={f.priority} onChange={(e) => onChange('priority', (e.target as HTMLSelectElement).value)}>
          <option value="">any</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={props.showCancelled}
          onChange={(e) => onChange('cancelled', (e.target as HTMLInputElement).checked ? '1' : '')}
        />
        <span>Show cancelled</span>
      </label>
    </form>
  );
}
