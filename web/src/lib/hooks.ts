import { useEffect, useState } from 'preact/hooks';
import type { Priority, SystemStatus } from '../api/types';
import { DEFAULT_SLA_MINUTES } from './format';
import { api } from './session';

/** The current time, refreshed every `ms`, so ages and SLA badges move without data changes. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

let slaCache: Record<Priority, number | null> | null = null;

/** SLA targets per priority in minutes: the server's when its status reports them, else the defaults. */
export function slaOf(status: SystemStatus | null): Record<Priority, number | null> {
  const sla = status?.sla as { targetSeconds?: Record<string, number | null> } | undefined;
  const out = { ...DEFAULT_SLA_MINUTES };
  for (const p of Object.keys(out) as Priority[]) {
    const seconds = sla?.targetSeconds?.[p];
    if (typeof seconds === 'number') out[p] = seconds / 60;
    else if (seconds === null) out[p] = null;
  }
  return out;
}

/**
 * The server's SLA targets. `ready` holds the request back until the view has drawn: on a large
 * store the status call is slow and would delay the first paint, and the defaults apply meanwhile.
 */
export function useSla(ready = true): Record<Priority, number | null> {
  const [sla, setSla] = useState(slaCache ?? DEFAULT_SLA_MINUTES);
  useEffect(() => {
    if (slaCache || !ready) return;
    api
      .status()
      .then((s) => {
        slaCache = slaOf(s);
        setSla(slaCache);
      })
      .catch(() => {});
  }, [ready]);
  return sla;
}

/** Loads data once and again whenever `deps` change; errors are kept for display. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => {
        if (live) {
          setData(d);
          setError(null);
        }
      })
      .catch((e) => {
        if (live) setError(e);
      });
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}
