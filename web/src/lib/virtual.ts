import type { RefObject } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from 'preact/hooks';

/**
 * Windowing for a vertical list inside a scrolling element: only the rows in view (and `overscan`
 * pixels around them) are rendered, each placed at its offset and measured once drawn, so rows of
 * different heights scroll past thousands of entries with a page that holds a few dozen.
 *
 * Written here rather than taken from a library: the board needs one direction, rows appended by
 * page, and measured heights; TanStack Virtual's core (3.19) does that and much more (lanes, smooth
 * scrolling, momentum, anchors) in 44 KB minified — a quarter of the dashboard's bundle.
 */
export interface WindowOptions {
  count: number;
  /** Height of a row not yet drawn. */
  estimate: number;
  gap: number;
  /** Pixels drawn beyond each edge of the view, so a quick scroll shows no blank. */
  overscan: number;
  key: (index: number) => string | number;
  scroller: RefObject<HTMLElement | null>;
}

export interface WindowRow {
  index: number;
  key: string | number;
  start: number;
}

export interface Window {
  rows: WindowRow[];
  total: number;
  /** The ref of each row's element: its height is measured and kept while it is drawn. */
  measure: (el: HTMLElement | null) => void;
}

export function useWindow(o: WindowOptions): Window {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const sizes = useRef(new Map<string, number>());
  const view = useRef({ top: 0, height: 0 });
  const starts = useRef<number[]>([]);

  // Offsets of every row: measured heights where known, the estimate elsewhere.
  const offsets: number[] = new Array(o.count);
  let total = 0;
  for (let i = 0; i < o.count; i++) {
    offsets[i] = total;
    total += (sizes.current.get(String(o.key(i))) ?? o.estimate) + (i < o.count - 1 ? o.gap : 0);
  }
  starts.current = offsets;

  useLayoutEffect(() => {
    const el = o.scroller.current;
    if (!el) return;
    let frame = 0;
    const read = () => {
      frame = 0;
      const next = { top: el.scrollTop, height: el.clientHeight };
      if (next.top === view.current.top && next.height === view.current.height) return;
      view.current = next;
      redraw(undefined);
    };
    const onScroll = () => {
      if (frame === 0) frame = requestAnimationFrame(read);
    };
    read();
    el.addEventListener('scroll', onScroll, { passive: true });
    const resize = new ResizeObserver(onScroll);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resize.disconnect();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [o.scroller.current]);

  const rowObserver = useRef<ResizeObserver | null>(null);
  useEffect(() => () => rowObserver.current?.disconnect(), []);
  const measure = useCallback((el: HTMLElement | null) => {
    if (!el) return;
    rowObserver.current ??= new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const row = entry.target as HTMLElement;
        const key = row.dataset.key as string;
        const index = Number(row.dataset.index);
        const height = Math.round(row.getBoundingClientRect().height);
        const before = sizes.current.get(key);
        if (height === 0 || height === before) continue;
        sizes.current.set(key, height);
        changed = true;
        // A row above the view that grew or shrank would move what is read: keep it still.
        const scroller = row.closest<HTMLElement>('[data-window]');
        if (scroller && (starts.current[index] ?? 0) < scroller.scrollTop && before !== undefined) {
          scroller.scrollTop += height - before;
        }
      }
      if (changed) redraw(undefined);
    });
    rowObserver.current.observe(el);
  }, []);

  const { top, height } = view.current;
  const from = top - o.overscan;
  const to = top + height + o.overscan;
  const rows: WindowRow[] = [];
  for (let i = firstAtOrAfter(offsets, from, o); i < o.count && (offsets[i] ?? 0) <= to; i++) {
    rows.push({ index: i, key: o.key(i), start: offsets[i] ?? 0 });
  }
  return { rows, total, measure };
}

/** The first row whose bottom is below `y` (a binary search over the offsets). */
function firstAtOrAfter(offsets: number[], y: number, o: Pick<WindowOptions, 'estimate'>): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const end = (offsets[mid + 1] ?? (offsets[mid] ?? 0) + o.estimate) as number;
    if (end <= y) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo);
}
