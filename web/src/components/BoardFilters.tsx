import { useEffect, useState } from 'preact/hooks';
import { PRIORITIES } from '../api/types';
import type { Filters } from '../views/board-data';

export type FilterKey = keyof Filters | 'cancelled';

/** The board's filters (kept in the URL) and its display switches (kept in this browser). */
export function BoardFilters(props: {
  filters: Filters;
  showCancelled: boolean;
  onChange: (key: FilterKey, value: string) => void;
  compact: boolean;
  onCompact: (compact: boolean) => void;
}) {
  const { filters: f, onChange } = props;
  const [q, setQ] = useState(f.q);
  // On a phone the filters past the search fold away; the button says how many are set.
  const [open, setOpen] = useState(false);
  const set = [f.tag, f.cap, f.worker, f.priority].filter(Boolean).length + (props.showCancelled ? 1 : 0);
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
    <form class={`filters${open ? ' open' : ''}`} aria-label="filter tasks" onSubmit={(e) => e.preventDefault()}>
      <label class="field grow">
        <span>Search</span>
        <input
          type="search"
          name="q"
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          placeholder="words of the title or description"
        />
      </label>
      <button type="button" class="filters-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        Filters{set ? ` (${set})` : ''}
      </button>
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
      <button
        type="button"
        class="density"
        aria-pressed={props.compact}
        title="Smaller cards, more of them on screen (remembered in this browser)"
        onClick={() => props.onCompact(!props.compact)}
      >
        Compact
      </button>
    </form>
  );
}
