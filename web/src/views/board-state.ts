import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TaskCounts } from '../api/client';
import type { Task } from '../api/types';
import { useEvents } from '../lib/session';
import { append, type Board, COLUMNS, type ColumnDef, EPICS, type Filters, placeTask } from './board-data';
import { type DependencyCache, useLiveTasks, useThrottle } from './board-live';
import { loadColumn, loadCounts, loadMore } from './board-load';

/**
 * Columns shown without asking, loaded at once with the counts; the others once the counts say they
 * hold tasks. Queued is asked first: the server answers in turn, and it is the column people read first.
 */
const FIRST = [...COLUMNS.filter((c) => c.key === 'queued'), ...COLUMNS.filter((c) => !c.optional && c.key !== 'queued'), EPICS];

export interface BoardState {
  board: Board;
  counts: TaskCounts | null;
  error: unknown;
  /** Whether the first columns have answered. */
  ready: boolean;
  parents: ReadonlySet<number>;
  more: (col: ColumnDef) => Promise<void>;
  /** Applies tasks the caller already has (an action's answer), as the live feed would. */
  apply: (tasks: Task[]) => void;
  reload: () => void;
}

/**
 * The board's data: the counts for the filters (one call), the first page of each column shown,
 * further pages by cursor, and the live feed moving cards as tasks change.
 */
export function useBoardData(filters: Filters, showCancelled: boolean, deps: DependencyCache): BoardState {
  const [board, setBoard] = useState<Board>({});
  const [counts, setCounts] = useState<TaskCounts | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ready, setReady] = useState(false);
  // Answers of an older filter are dropped: only the latest load may write.
  const generation = useRef(0);

  // Columns asked for under the current filters: an optional one is loaded once the counts say it holds tasks.
  const requested = useRef(new Set<string>());
  const wanted = (c: ColumnDef, got: TaskCounts) =>
    c.optional === 'on-request' ? showCancelled : c.statuses.some((s) => got.byStatus[s] > 0);

  const loadInto = async (col: ColumnDef, gen: number) => {
    requested.current.add(col.key);
    const data = await loadColumn(col, filters);
    if (gen === generation.current) setBoard((b) => ({ ...b, [col.key]: data }));
  };

  const reload = useCallback(() => {
    const gen = ++generation.current;
    setBoard({});
    setCounts(null);
    requested.current = new Set();
    const lists = FIRST.map((c) => loadInto(c, gen).then(() => gen === generation.current && setReady(true)));
    const countsDone = loadCounts(filters).then((got) => {
      if (gen !== generation.current) return;
      setCounts(got);
      return Promise.all(COLUMNS.filter((c) => c.optional && wanted(c, got)).map((c) => loadInto(c, gen)));
    });
    Promise.all([...lists, countsDone])
      .then(() => gen === generation.current && setError(null))
      .catch((e) => gen === generation.current && setError(e));
  }, [filters, showCancelled]);

  useEffect(reload, [reload]);

  const refreshCounts = useThrottle(() => {
    const gen = generation.current;
    loadCounts(filters)
      .then((got) => {
        if (gen !== generation.current) return;
        setCounts(got);
        // A task moved into a column not shown yet (the first paused one): show it.
        const missing = COLUMNS.filter((c) => c.optional && wanted(c, got) && !requested.current.has(c.key));
        return Promise.all(missing.map((c) => loadInto(c, gen)));
      })
      .catch(() => {});
  }, 1000);

  const parents = useMemo(() => new Set((board.epics?.tasks ?? []).map((t) => t.id)), [board.epics]);
  const parentsRef = useRef(parents);
  parentsRef.current = parents;

  const apply = useCallback(
    (tasks: Task[]) => {
      for (const t of tasks) deps.update(t);
      setBoard((b) => tasks.reduce((next, t) => placeTask(next, t, filters, parentsRef.current), b));
      refreshCounts();
    },
    [filters, deps, refreshCounts],
  );
  useEvents(useLiveTasks(apply, reload));

  const more = useCallback(
    async (col: ColumnDef) => {
      const gen = generation.current;
      const cursor = board[col.key]?.next;
      if (!cursor) return;
      const page = await loadMore(col, filters, cursor);
      if (gen !== generation.current) return;
      setBoard((b) => {
        const current = b[col.key];
        return current ? { ...b, [col.key]: append(current, page) } : b;
      });
    },
    [board, filters],
  );

  return { board, counts, error, ready, parents, more, apply, reload };
}
