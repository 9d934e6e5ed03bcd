import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type BulkAction } from '../api/client';
import type { Priority, Task } from '../api/types';
import { BoardColumn } from '../components/BoardColumn';
import { BoardFilters, type FilterKey } from '../components/BoardFilters';
import { BulkBar } from '../components/BulkBar';
import { describe as describeError, ErrorNote } from '../components/ErrorNote';
import { PauseBanner, useQueues } from '../components/PauseBanner';
import { TaskCard } from '../components/TaskCard';
import { moveFor } from '../lib/board-moves';
import { useNow, useSla } from '../lib/hooks';
import { navigate, type Route } from '../lib/route';
import { api, canSteer, useSession } from '../lib/session';
import { blockerOf, COLUMNS, type ColumnDef, EMPTY, EPICS, filtersOf, headerCount, reservedOffline } from './board-data';
import { useDependencyCache, useWorkerPresence } from './board-live';
import { useBoardData } from './board-state';
import '../board.css';

const DENSITY_KEY = 'baton.board.density';
const EPICS_KEY = 'baton.board.epics';

/** A setting of this browser, kept in localStorage (which may be unavailable: then for this visit only). */
function useStored(key: string, initial: string): [string, (v: string) => void] {
  const [value, setValue] = useState(() => {
    try {
      return localStorage.getItem(key) ?? initial;
    } catch {
      return initial;
    }
  });
  const set = (v: string) => {
    setValue(v);
    try {
      localStorage.setItem(key, v);
    } catch {
      // Private mode or storage full: the setting lasts this visit.
    }
  };
  return [value, set];
}

/** Columns as tall as the window leaves below the filters: each scrolls on its own, the page does not. */
function useFitHeight() {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const fitToWindow = () => {
      const el = ref.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top + window.scrollY;
      el.style.height = `${Math.max(352, window.innerHeight - top - 20)}px`;
    };
    fitToWindow();
    window.addEventListener('resize', fitToWindow);
    return () => window.removeEventListener('resize', fitToWindow);
  }, []);
  return ref;
}

interface Note {
  text: string;
  code?: string;
  error: boolean;
}

interface Drag {
  task: Task;
  from: string;
}

export function BoardView({ route }: { route: Route }) {
  const filters = useMemo(() => filtersOf(route.params), [route.params.toString()]);
  const showCancelled = route.params.get('cancelled') === '1';
  const steer = canSteer(useSession());
  const [density, setDensity] = useStored(DENSITY_KEY, 'comfortable');
  const [epicsFold, setEpicsFold] = useStored(EPICS_KEY, 'open');
  const compact = density === 'compact';
  const deps = useDependencyCache();
  const { board, counts, error, ready, parents, more, apply } = useBoardData(filters, showCancelled, deps);
  const sla = useSla(ready);
  const now = useNow(15_000);
  const hasReserved = (board.queued?.tasks ?? []).some((t) => t.status === 'assigned');
  const online = useWorkerPresence(hasReserved);
  const queues = useQueues();

  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const anchor = useRef<{ col: string; id: number } | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<Note | null>(null);
  const boardRef = useFitHeight();
  useEffect(() => {
    if (!note || note.error) return;
    const t = setTimeout(() => setNote(null), 6000);
    return () => clearTimeout(t);
  }, [note]);
  // A new filter is a new selection.
  useEffect(() => setSelected(new Set()), [filters]);

  const setFilter = (key: FilterKey, value: string) => {
    const params = Object.fromEntries(route.params.entries());
    params[key] = value;
    navigate('/', params, true);
  };

  const select = (col: ColumnDef, task: Task, range: boolean) => {
    const next = new Set(selected);
    const tasks = board[col.key]?.tasks ?? [];
    const from = anchor.current?.col === col.key ? tasks.findIndex((t) => t.id === anchor.current?.id) : -1;
    const to = tasks.findIndex((t) => t.id === task.id);
    if (range && from >= 0 && to >= 0) {
      for (const t of tasks.slice(Math.min(from, to), Math.max(from, to) + 1)) next.add(t.id);
    } else if (next.has(task.id)) next.delete(task.id);
    else next.add(task.id);
    anchor.current = { col: col.key, id: task.id };
    setSelected(next);
  };

  const act = async (action: BulkAction, ids: number[], priority?: Priority) => {
    setBusy(true);
    try {
      const done = await api.bulk({ action, ids, ...(priority && { priority }) });
      apply(done.tasks);
      const what = done.count === 1 ? `task #${done.ids[0]}` : `${done.count} tasks`;
      setNote({ text: `${VERB[action]} ${what}${priority ? ` to ${priority}` : ''}.`, error: false });
      setSelected(new Set());
    } catch (e) {
      const code = e instanceof ApiError ? e.code : undefined;
      const text = describeError(e);
      setNote({
        text: /nothing was changed/.test(text) ? text : `${text} — nothing was changed.`,
        ...(code && { code }),
        error: true,
      });
    } finally {
      setBusy(false);
    }
  };

  const drop = (to: string) => {
    const d = drag;
    setDrag(null);
    if (!d) return;
    const move = moveFor(d.task, d.from, to);
    if (move.kind === 'none') return;
    if (move.kind === 'refused') return setNote({ text: `${move.message}. Nothing was changed.`, code: move.code, error: true });
    const ids = selected.has(d.task.id) && selected.size > 1 ? [...selected] : [d.task.id];
    void act(move.action, ids);
  };

  const foldEpics = epicsFold === 'folded';
  const epics = board.epics;
  // The epics lane comes last: it appears once its first page answers, and nothing shifts then.
  const visible = [
    ...COLUMNS.filter((c) => {
      if (!c.optional) return true;
      if (c.optional === 'on-request') return showCancelled;
      return (board[c.key]?.tasks.length ?? 0) > 0 || headerCount(c, counts, board[c.key]) > 0;
    }),
    ...(epics && (epics.total > 0 || epics.tasks.length > 0) ? [EPICS] : []),
  ];
  // Pausing and cancelling have a drop zone while their column is not shown: floating, so nothing moves under the pointer.
  const docked = DOCK.filter((d) => !visible.some((c) => c.key === d.key));
  const dropState = (key: string) =>
    !drag || drag.from === key ? 'none' : moveFor(drag.task, drag.from, key).kind === 'action' ? 'allowed' : 'refused';

  const card = (col: ColumnDef) => (task: Task) => (
    <TaskCard
      task={task}
      sla={sla}
      now={now}
      compact={compact}
      epic={col.parents === true || parents.has(task.id)}
      blocker={blockerOf(task, deps)}
      offlineReservation={reservedOffline(task, online)}
      {...(steer && {
        selected: selected.has(task.id),
        onSelect: (range: boolean) => select(col, task, range),
        onDragStart: (e: DragEvent) => {
          e.dataTransfer?.setData('text/plain', String(task.id));
          if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
          // After the browser has taken the drag image: drawing drop targets during dragstart would cancel the drag.
          setTimeout(() => setDrag({ task, from: col.key }), 0);
        },
        onDragEnd: () => setDrag(null),
      })}
    />
  );

  return (
    <div class={`board-view${compact ? ' density-compact' : ''}`}>
      <BoardFilters
        filters={filters}
        showCancelled={showCancelled}
        onChange={setFilter}
        compact={compact}
        onCompact={(c) => setDensity(c ? 'compact' : 'comfortable')}
      />
      <ErrorNote error={error} />
      <PauseBanner report={queues.data} />
      {steer && selected.size > 0 ? (
        <BulkBar
          count={selected.size}
          busy={busy}
          onAction={(action, priority) => void act(action, [...selected], priority)}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
      <div class="board" ref={boardRef}>
        {visible.map((col) => (
          <BoardColumn
            key={col.key}
            col={col}
            data={board[col.key] ?? EMPTY}
            loading={board[col.key] === undefined}
            count={headerCount(col, counts, board[col.key])}
            compact={compact}
            card={card(col)}
            onMore={() => more(col)}
            onShown={(tasks) => deps.want(tasks.flatMap((t) => (t.status === 'blocked' ? t.dependsOn.slice(0, 3) : [])))}
            drop={dropState(col.key)}
            onDrop={() => drop(col.key)}
            {...(col.parents && { collapsed: foldEpics, onCollapse: () => setEpicsFold(foldEpics ? 'open' : 'folded') })}
          />
        ))}
      </div>
      {drag && docked.length > 0 ? (
        <div class="drop-dock">
          {docked.map((d) => (
            <section
              key={d.key}
              aria-label={d.label}
              class={`drop-zone drop-${dropState(d.key)}`}
              data-drop={d.key}
              onDragOver={(e) => {
                e.preventDefault();
                if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
              }}
              onDrop={(e) => {
                e.preventDefault();
                drop(d.key);
              }}
            >
              {d.label}
            </section>
          ))}
        </div>
      ) : null}
      {!ready && !error ? <p class="muted board-loading">Loading the board…</p> : null}
      {note ? (
        <div class={`board-note${note.error ? ' error' : ''}`} role={note.error ? 'alert' : 'status'}>
          <span>{note.text}</span>
          {note.code ? <span class="muted small"> ({note.code})</span> : null}
          <button type="button" class="link" aria-label="dismiss" onClick={() => setNote(null)}>
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}

const DOCK = [
  { key: 'paused', label: 'Drop here to pause' },
  { key: 'cancelled', label: 'Drop here to cancel' },
];

const VERB: Record<BulkAction, string> = {
  cancel: 'Cancelled',
  retry: 'Requeued',
  pause: 'Paused',
  resume: 'Resumed',
  update: 'Re-prioritised',
};
