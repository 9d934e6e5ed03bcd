import { useEffect, useRef, useState } from 'preact/hooks';
import type { Task } from '../api/types';
import { searchTasks } from '../api/views';
import { api } from '../lib/session';
import { ErrorNote } from './ErrorNote';
import { StatusBadge } from './TaskCard';

/**
 * A search box over every task (the server's full-text index, not a loaded page): type words of a
 * title or description, or `#42`. Arrow keys move through the results, Enter picks one.
 */
export function TaskPicker(props: { label: string; exclude: readonly number[]; onPick: (t: Task) => void; disabled?: boolean }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Task[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [searched, setSearched] = useState('');
  const seq = useRef(0);

  useEffect(() => {
    const text = q.trim();
    const byId = /^#?(\d+)$/.exec(text);
    if (!byId && text.replace(/[^\p{L}\p{N}]/gu, '').length < 2) {
      setResults([]);
      setSearched('');
      return;
    }
    const n = ++seq.current;
    const timer = setTimeout(async () => {
      try {
        const found = byId ? [await api.getTask(Number(byId[1])).catch(() => null)].filter((t): t is Task => t !== null) : [];
        const page = await searchTasks(text, 12).catch((e) => (byId ? { tasks: [] } : Promise.reject(e)));
        if (n !== seq.current) return;
        const all = [...found, ...page.tasks.filter((t) => !found.some((f) => f.id === t.id))];
        setResults(all.filter((t) => !props.exclude.includes(t.id)).slice(0, 12));
        setActive(0);
        setError(null);
        setSearched(text);
      } catch (e) {
        if (n === seq.current) setError(e);
      }
    }, 180);
    return () => clearTimeout(timer);
  }, [q, props.exclude.join(',')]);

  const pick = (t: Task | undefined) => {
    if (!t) return;
    props.onPick(t);
    setQ('');
    setResults([]);
  };
  const listId = `picker-${props.label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div class="picker">
      <input
        type="search"
        aria-label={props.label}
        aria-controls={listId}
        aria-activedescendant={results[active] ? `${listId}-${results[active]?.id}` : undefined}
        placeholder="words of a title, or #id"
        data-picker="true"
        value={q}
        disabled={props.disabled}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((i) => Math.min(results.length - 1, i + 1));
          else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
          else if (e.key === 'Enter') pick(results[active]);
          else if (e.key === 'Escape') setQ('');
          else return;
          e.preventDefault();
        }}
      />
      {results.length ? (
        <div class="picker-results" role="listbox" id={listId} aria-label={`${props.label}: results`}>
          {results.map((t, i) => (
            <div
              key={t.id}
              id={`${listId}-${t.id}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              class={i === active ? 'active' : undefined}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(t)}
              onKeyDown={(e) => e.key === 'Enter' && pick(t)}
            >
              <span class="muted">#{t.id}</span> {t.title} <StatusBadge status={t.status} />
            </div>
          ))}
        </div>
      ) : searched && q.trim() === searched ? (
        <p class="muted small">No task matches “{searched}”.</p>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}
