import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Task, TaskEvent, WorkerView } from '../api/types';
import { api } from '../lib/session';

/** A burst larger than this re-reads the board instead of each task. */
const BURST = 40;

/** Re-reads changed tasks in small batches, so a burst of events costs a few requests, not one each. */
export function useLiveTasks(onTasks: (tasks: Task[]) => void, onBurst: () => void): (e: TaskEvent) => void {
  const pending = useRef(new Set<number>());
  const timer = useRef<number | null>(null);
  const flush = useCallback(async () => {
    timer.current = null;
    const batch = [...pending.current];
    pending.current.clear();
    if (batch.length > BURST) return onBurst();
    const got = await Promise.all(batch.map((id) => api.getTask(id).catch(() => null)));
    onTasks(got.filter((t): t is Task => t !== null));
  }, [onTasks, onBurst]);
  return useCallback(
    (e: TaskEvent) => {
      if (e.taskId === null || e.taskId === undefined) return;
      // A renewal changes nothing a card shows.
      if (e.type === 'lease_renewed') return;
      pending.current.add(e.taskId);
      if (timer.current === null) timer.current = window.setTimeout(flush, 16);
    },
    [flush],
  );
}

/** Runs `fn` at most once per `ms`, the last call winning: counts follow a busy board without a call per event. */
export function useThrottle(fn: () => void, ms: number): () => void {
  const last = useRef(0);
  const timer = useRef<number | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => void (timer.current !== null && clearTimeout(timer.current)), []);
  return useCallback(() => {
    if (timer.current !== null) return;
    const wait = Math.max(0, last.current + ms - Date.now());
    timer.current = window.setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      latest.current();
    }, wait);
  }, [ms]);
}

/**
 * The tasks blocked cards wait for, read once each (`GET /tasks/:id`) for the cards in view only,
 * and kept fresh by the live feed. A blocked card names its first dependency still open.
 */
export class DependencyCache {
  private readonly tasks = new Map<number, Task | null>();
  private readonly listeners = new Set<() => void>();
  private inFlight = 0;
  private readonly queue: number[] = [];

  get(id: number): Task | null | undefined {
    return this.tasks.get(id);
  }

  /** Asks for the tasks not yet known; at most four requests at a time. */
  want(ids: readonly number[]): void {
    for (const id of ids) {
      if (this.tasks.has(id)) continue;
      this.tasks.set(id, null);
      this.queue.push(id);
    }
    this.pump();
  }

  /** A task re-read for the live feed: kept if cards wait for it. */
  update(task: Task): void {
    if (!this.tasks.has(task.id)) return;
    this.tasks.set(task.id, task);
    this.emit();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private pump(): void {
    while (this.inFlight < 4 && this.queue.length > 0) {
      const id = this.queue.shift() as number;
      this.inFlight++;
      api
        .getTask(id)
        .then((t) => this.tasks.set(id, t))
        .catch(() => {})
        .finally(() => {
          this.inFlight--;
          this.emit();
          this.pump();
        });
    }
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

export function useDependencyCache(): DependencyCache {
  const [cache] = useState(() => new DependencyCache());
  const [, rerender] = useState(0);
  useEffect(() => cache.subscribe(() => rerender((n) => n + 1)), [cache]);
  return cache;
}

/**
 * Workers, read while reserved cards are on the board (and every 20 s then), so a card reserved for
 * a worker that is offline says so: its reservation ends at the next sweep.
 */
export function useWorkerPresence(needed: boolean): ReadonlyMap<string, boolean> | null {
  const [online, setOnline] = useState<ReadonlyMap<string, boolean> | null>(null);
  useEffect(() => {
    if (!needed) return;
    let live = true;
    const read = () =>
      api
        .workers()
        .then((ws: WorkerView[]) => live && setOnline(new Map(ws.map((w) => [w.id, w.online]))))
        .catch(() => {});
    void read();
    const t = setInterval(read, 20_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [needed]);
  return online;
}
