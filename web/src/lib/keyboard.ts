import { useEffect } from 'preact/hooks';
import { navigate } from './route';

/**
 * Keyboard shortcuts of the whole dashboard: `/` search, `n` new task, `j`/`k` next and previous
 * item of the list on screen, `?` this help. None fires while typing in a field, or with Ctrl,
 * Alt or Meta held (those belong to the browser).
 */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: '/', what: 'Search tasks (the board’s search box)' },
  { keys: 'n', what: 'New task' },
  { keys: 'j', what: 'Next item in the list (cards, rows)' },
  { keys: 'k', what: 'Previous item in the list' },
  { keys: 'Enter', what: 'Open the selected item' },
  { keys: '?', what: 'Show or hide this help' },
  { keys: 'Esc', what: 'Close this help, or leave an editor' },
];

/** Items `j`/`k` move through: board cards, worker rows, queue rows, a worker's task rows. */
const ITEMS = '[data-task-id], tr[data-worker], tr[data-task-row]';
const SEARCH = 'main input[type="search"]:not([data-picker])';

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  return Boolean(el.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])'));
}

function visible(el: Element): boolean {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}

/** Moves the selection by `step` among the items on screen; the selected item's link gets focus. */
export function moveSelection(step: 1 | -1): Element | null {
  const items = [...document.querySelectorAll(`main ${ITEMS}`)].filter(visible);
  if (items.length === 0) return null;
  const active = document.activeElement;
  let at = items.findIndex((el) => el.classList.contains('kb-selected') || (active !== null && el.contains(active)));
  at = at === -1 ? (step === 1 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + step));
  for (const el of items) el.classList.remove('kb-selected');
  const item = items[at] as HTMLElement;
  item.classList.add('kb-selected');
  const link = item.querySelector<HTMLElement>('a[href], button');
  (link ?? item).focus({ preventScroll: true });
  item.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  return item;
}

/** Focuses the search box of the page, or opens the board (which has one) and focuses it there. */
function focusSearch(): void {
  const box = document.querySelector<HTMLInputElement>(SEARCH);
  if (box) {
    box.focus();
    box.select();
    return;
  }
  navigate('/');
  const started = performance.now();
  const wait = () => {
    const found = document.querySelector<HTMLInputElement>(SEARCH);
    if (found) found.focus();
    else if (performance.now() - started < 3000) requestAnimationFrame(wait);
  };
  requestAnimationFrame(wait);
}

export function useShortcuts(options: { canCreate: boolean; toggleHelp: () => void; closeHelp: () => void }): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        options.closeHelp();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || isTyping(e.target)) return;
      switch (e.key) {
        case '/':
          focusSearch();
          break;
        case 'n':
          if (!options.canCreate) return;
          navigate('/new');
          break;
        case 'j':
          moveSelection(1);
          break;
        case 'k':
          moveSelection(-1);
          break;
        case '?':
          options.toggleHelp();
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [options.canCreate, options.toggleHelp, options.closeHelp]);
}
