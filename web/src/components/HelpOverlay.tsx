import { useEffect, useRef } from 'preact/hooks';
import { SHORTCUTS } from '../lib/keyboard';

/** The keyboard shortcuts, as a modal dialog; Close, `?` or Escape closes it, and focus returns where it was. */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title">
        <div class="panel-head">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button ref={close} type="button" class="small" onClick={onClose}>
            Close
          </button>
        </div>
        <dl class="shortcuts">
          {SHORTCUTS.map((s) => (
            <div key={s.keys} class="shortcut">
              <dt>
                <kbd>{s.keys}</kbd>
              </dt>
              <dd>{s.what}</dd>
            </div>
          ))}
        </dl>
        <p class="muted small">Shortcuts do nothing while you type in a field.</p>
      </div>
    </div>
  );
}
