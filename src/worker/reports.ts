import { errorCodeOf } from '../app/lease-keeper.js';
import type { Clock } from '../core/clock.js';
import { ERROR_CODES } from '../core/errors.js';
import { redactText } from '../core/redact.js';

/** Waits between tries of a write refused for now: doubling from 250 ms up to 5 s, with jitter. */
const FIRST_WAIT_MS = 250;
const MAX_WAIT_MS = 5_000;

// What the loop tells of an error reaches the worker's console and log: no store password in it.
export const messageOf = (err: unknown) => redactText(err instanceof Error ? err.message : String(err));

/**
 * Whether `err` says "not now" rather than "no": the store or the server is unavailable or busy
 * (a database restarting, a server redeployed), or the caller is rate limited. Such a write may
 * be sent again; a refusal of the lease or of the input may not.
 */
export function refusedForNow(err: unknown): boolean {
  const code = errorCodeOf(err);
  if (code === null) return false;
  const category = ERROR_CODES[code];
  return category === 'unavailable' || category === 'rate_limited';
}

/** The wait after the `failures`-th refusal in a row (1, 2, …), jittered so workers do not call in step. */
export function retryWaitMs(failures: number): number {
  const base = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.max(0, failures - 1));
  return base / 2 + Math.random() * (base / 2);
}

export interface PersistOptions {
  clock: Clock;
  /** No try starts at or after this time: the lease has run out, and the store would refuse it. */
  until: number;
  /**
   * Aborted once trying again is no longer wanted (the worker must leave): the write is tried
   * once more at most, and waited for `LAST_TRY_MS` at most.
   */
  signal: AbortSignal;
  /** Told of each refusal that will be tried again. */
  onRetry?: ((err: unknown) => void) | undefined;
}

/** How long a write is waited for once the worker must leave. */
const LAST_TRY_MS = 2_000;

/**
 * Sends a write under a lease until it lands, is refused for good, or time or the will to try
 * runs out — then the last error is thrown. Fencing is the store's: every try carries the token
 * of the attempt, so one that lands after the lease was lost is refused, never applied.
 */
export async function persist<T>(write: () => Promise<T>, o: PersistOptions): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await cutOff(write(), o);
    } catch (err) {
      const wait = retryWaitMs(failures);
      if (!refusedForNow(err) || o.signal.aborted || o.clock.now() + wait >= o.until) throw err;
      o.onRetry?.(err);
      await o.clock.sleep(wait, o.signal);
      if (o.signal.aborted) throw err;
    }
  }
}

/** Whether `pending` settled before the worker gave up on it (see `cutOff`). */
export function settles(pending: Promise<unknown>, o: Pick<PersistOptions, 'clock' | 'signal'>): Promise<boolean> {
  return cutOff(pending, o).then(
    () => true,
    () => !o.signal.aborted,
  );
}

/** `pending`, given up on `LAST_TRY_MS` after `o.signal` aborts (a write that never answers must not keep a worker). */
async function cutOff<T>(pending: Promise<T>, o: Pick<PersistOptions, 'clock' | 'signal'>): Promise<T> {
  // What the write comes to after we gave up is of no interest (its token fences it).
  pending.catch(() => {});
  // Nearly every write answers before any stop: the give-up timer is armed only once one comes.
  let timer: AbortController | undefined;
  let start = () => {};
  const giveUp = new Promise<never>((_, reject) => {
    start = () => {
      const own = new AbortController();
      timer = own;
      void o.clock.sleep(LAST_TRY_MS, own.signal).then(() => {
        if (!own.signal.aborted) reject(new Error(`no answer within ${LAST_TRY_MS} ms of the stop`));
      });
    };
  });
  if (o.signal.aborted) start();
  else o.signal.addEventListener('abort', start, { once: true });
  try {
    return await Promise.race([pending, giveUp]);
  } finally {
    o.signal.removeEventListener('abort', start);
    timer?.abort('settled');
  }
}
