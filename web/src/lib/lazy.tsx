import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A view loaded on first use, in its own chunk, so the board (the page most visits start on) does
 * not wait for the code of every other page. Each loader runs once; later mounts render at once.
 */
export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const start = () => {
    pending ??= load().then((c) => (loaded = c));
    return pending;
  };
  return function LazyView(props: P) {
    const [View, setView] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState<string | null>(null);
    useEffect(() => {
      if (View) return;
      let live = true;
      start().then(
        (c) => live && setView(() => c),
        (e: unknown) => live && setFailed(e instanceof Error ? e.message : String(e)),
      );
      return () => {
        live = false;
      };
    }, [View]);
    if (failed) return <p role="alert">This page could not be loaded ({failed}). Reload to try again.</p>;
    return View ? <View {...props} /> : <p class="muted">Loading…</p>;
  };
}
