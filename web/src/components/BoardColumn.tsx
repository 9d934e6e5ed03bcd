import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Task } from '../api/types';
import { useWindow } from '../lib/virtual';
import type { ColumnData, ColumnDef } from '../views/board-data';

/** Load the next page once the last cards in view are this close to the end of those loaded. */
const AHEAD = 8;

export interface ColumnProps {
  col: ColumnDef;
  data: ColumnData;
  count: number;
  /** The first page has not answered yet. */
  loading?: boolean;
  compact: boolean;
  card: (task: Task) => ComponentChildren;
  onMore: () => Promise<void>;
  /** The tasks drawn now (for what they need read: blockers). */
  onShown?: (tasks: Task[]) => void;
  /** A card is being dragged: whether it may land here. */
  drop: 'none' | 'allowed' | 'refused';
  onDrop: () => void;
  /** The epics lane folds to its header. */
  collapsed?: boolean;
  onCollapse?: () => void;
}

/**
 * One column of the board, scrolling on its own: only the cards in view are in the page, and the
 * next page is fetched by cursor as the end of what is loaded comes into view.
 */
export function BoardColumn(props: ColumnProps) {
  const { col, data, compact } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  const count = data.tasks.length + (data.next ? 1 : 0);
  const list = useWindow({
    count: props.collapsed ? 0 : count,
    estimate: compact ? 50 : 112,
    gap: compact ? 4 : 8,
    overscan: 400,
    key: (i) => data.tasks[i]?.id ?? 'more',
    scroller,
  });
  const items = list.rows;
  const last = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (!data.next || loading || failed || last < data.tasks.length - AHEAD) return;
    setLoading(true);
    props
      .onMore()
      .catch(() => setFailed(true))
      .finally(() => setLoading(false));
  }, [last, data.next, data.tasks.length, loading, failed]);

  const shown = items.map((i) => data.tasks[i.index]).filter((t): t is Task => t !== undefined);
  const shownKey = shown.map((t) => t.id).join(',');
  useEffect(() => props.onShown?.(shown), [shownKey]);

  const id = `col-${col.key}`;
  return (
    <section
      class={`column column-${col.key}${props.collapsed ? ' collapsed' : ''}${count === 0 ? ' no-cards' : ''} drop-${props.drop}`}
      aria-labelledby={id}
      data-column={col.key}
      onDragOver={(e) => {
        if (props.drop === 'none') return;
        e.preventDefault();
        // A refused drop still lands, so that the board can say why it changed nothing.
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
      }}
      onDrop={(e) => {
        e.preventDefault();
        props.onDrop();
      }}
    >
      <h2 id={id} class="column-title">
        {props.onCollapse ? (
          <button
            type="button"
            class="link fold"
            aria-expanded={!props.collapsed}
            title={props.collapsed ? `Show ${col.label}` : `Fold ${col.label}`}
            onClick={props.onCollapse}
          >
            {props.collapsed ? '▸' : '▾'}
          </button>
        ) : null}
        <span class="column-name">{col.label}</span> <span class="count">{props.count.toLocaleString('en')}</span>
      </h2>
      {props.collapsed ? null : (
        <div class="column-scroll" ref={scroller} data-window data-testid={`scroll-${col.key}`}>
          {count === 0 ? <p class="empty">{props.loading ? 'Loading…' : 'No tasks'}</p> : null}
          <div class="column-cards" style={{ height: `${list.total}px` }}>
            {items.map((item) => {
              const task = data.tasks[item.index];
              return (
                <div
                  key={item.key}
                  class="vrow"
                  data-index={item.index}
                  data-key={item.key}
                  ref={list.measure}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  {task ? (
                    props.card(task)
                  ) : (
                    <p class="more muted small">
                      {failed ? (
                        <button type="button" class="link" onClick={() => setFailed(false)}>
                          Could not load more — try again
                        </button>
                      ) : (
                        `Loading more… (${data.tasks.length.toLocaleString('en')} of ${props.count.toLocaleString('en')})`
                      )}
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
