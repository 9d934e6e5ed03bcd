import { BatonError } from './errors.js';
import { durationMs } from './workflow/run.js';

/**
 * A worker's circuit breaker: a worker whose attempts keep failing (bad credentials, a full disk)
 * stops claiming for a cool-down instead of failing the whole queue. Pure rules; the store keeps
 * one `BreakerState` per worker (the `breaker` column of its row) so every server enforces it.
 *
 *   closed ──N failures in a row, or failure rate over a window──> open (stops claiming)
 *   open ──cool-down passed, a claim──> half_open (one task out: the probe)
 *   half_open ──the probe succeeds──> closed
 *   half_open ──the probe fails──> open again (the probe's task is not charged a retry)
 */

export type BreakerMode = 'closed' | 'open' | 'half_open';

export interface BreakerConfig {
  /** Open after this many failed attempts in a row. */
  failures: number;
  cooldownSeconds: number;
  /** Open when at least `ratio` of the last `window` attempts failed (all `window` seen). */
  rate: { ratio: number; window: number } | null;
}

export interface BreakerState {
  config: BreakerConfig;
  mode: BreakerMode;
  /** Failed attempts in a row. */
  consecutive: number;
  /** Outcomes of the newest attempts, oldest first (true: failed), at most the rate's window. */
  recent: boolean[];
  /** Times opened since it was last closed. */
  trips: number;
  openedAt: string | null;
  /** When an open breaker lets one claim through (half-opens). */
  reopensAt: string | null;
  /** When the half-open probe was claimed (a probe that never reports is retried after a cool-down). */
  probeAt: string | null;
  reason: string | null;
}

export const DEFAULT_BREAKER: BreakerConfig = { failures: 5, cooldownSeconds: 600, rate: null };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `--breaker` as a user writes it: `5`, `5,10m`, `5,30s,50%/20` (in a row, cool-down, failure
 * rate over the last 20 attempts); `5/10m` is `5,10m` (so `5/10m,50%/20` too). Empty gives the defaults.
 */
export function parseBreakerSpec(spec: string): BreakerConfig {
  const text = spec.trim();
  if (text === '' || text === 'true') return { ...DEFAULT_BREAKER };
  const [head = '', ...rest] = text.split(',').map((s) => s.trim());
  const slashed = head.split('/').map((s) => s.trim());
  const [count, cooldown, rate, extra] = [...slashed, ...rest];
  const failures = Number(count);
  if (!Number.isInteger(failures) || failures < 1 || extra !== undefined || (slashed.length > 1 && !cooldown)) {
    throw badSpec(spec, 'give failures in a row, then optionally a cool-down and a rate: 5,10m,50%/20 (or 5/10m)');
  }
  const cooldownMs = cooldown ? durationMs(cooldown) : DEFAULT_BREAKER.cooldownSeconds * 1000;
  if (cooldown && (cooldownMs <= 0 || !/^(\d+(ms|s|m|h|d))+$/.test(cooldown))) throw badSpec(spec, `bad cool-down ${cooldown}`);
  return { failures, cooldownSeconds: Math.max(1, Math.round(cooldownMs / 1000)), rate: rate ? parseRate(spec, rate) : null };
}

function parseRate(spec: string, text: string): BreakerConfig['rate'] {
  const m = /^(\d+)%\/(\d+)$/.exec(text);
  const percent = Number(m?.[1]);
  const window = Number(m?.[2]);
  if (!m || percent < 1 || percent > 100 || window < 2 || window > 1000) {
    throw badSpec(spec, `bad failure rate ${text}: write PERCENT%/ATTEMPTS, e.g. 50%/20`);
  }
  return { ratio: percent / 100, window };
}

function badSpec(spec: string, why: string): BatonError {
  return new BatonError('invalid_argument', `breaker ${JSON.stringify(spec)}: ${why}`, { field: 'breaker' });
}

export function newBreaker(config: BreakerConfig): BreakerState {
  return {
    config,
    mode: 'closed',
    consecutive: 0,
    recent: [],
    trips: 0,
    openedAt: null,
    reopensAt: null,
    probeAt: null,
    reason: null,
  };
}

/** A breaker given a new config keeps its history and mode. */
export function configureBreaker(state: BreakerState | null, config: BreakerConfig): BreakerState {
  return state ? { ...state, config } : newBreaker(config);
}

/** Whether a worker may claim now, and how many tasks; `next` is the state to store first. */
export interface BreakerGate {
  allow: boolean;
  /** At most this many tasks (1 for the half-open probe); null: no limit from the breaker. */
  limit: number | null;
  next: BreakerState | null;
  /** When a refused claim may try again (ms). */
  retryAtMs: number | null;
}

export function breakerGate(state: BreakerState | null, now: number): BreakerGate {
  if (!state || state.mode === 'closed') return { allow: true, limit: null, next: null, retryAtMs: null };
  const cooldownMs = state.config.cooldownSeconds * 1000;
  const dueAt =
    state.mode === 'open' ? Date.parse(state.reopensAt ?? iso(now)) : Date.parse(state.probeAt ?? iso(now)) + cooldownMs;
  if (now < dueAt) return { allow: false, limit: null, next: null, retryAtMs: dueAt };
  return { allow: true, limit: 1, next: { ...state, mode: 'half_open', probeAt: iso(now) }, retryAtMs: null };
}

/** What one finished attempt does to the breaker. */
export interface BreakerOutcome {
  next: BreakerState;
  /** The failed attempt counts against the task's retries. */
  charge: boolean;
  /** The breaker changed mode: the event to append (`breaker_opened`, `breaker_closed`). */
  event: 'breaker_opened' | 'breaker_closed' | null;
}

export function breakerAfter(state: BreakerState, failed: boolean, now: number): BreakerOutcome {
  const { config } = state;
  const window = config.rate?.window ?? 0;
  const recent = window > 0 ? [...state.recent, failed].slice(-window) : [];
  const consecutive = failed ? state.consecutive + 1 : 0;
  const counted = { ...state, recent, consecutive };
  if (!failed) {
    if (state.mode === 'closed') return { next: counted, charge: true, event: null };
    return { next: { ...newBreaker(config), recent }, charge: true, event: 'breaker_closed' };
  }
  // Failures after the breaker opened (the probe, or tasks still running when it tripped) are
  // the breaker's doing as much as the tasks': they are not charged.
  if (state.mode === 'open') return { next: counted, charge: false, event: null };
  if (state.mode === 'half_open')
    return { next: open(counted, now, 'the half-open probe failed'), charge: false, event: 'breaker_opened' };
  const reason = tripReason(counted);
  if (!reason) return { next: counted, charge: true, event: null };
  return { next: open(counted, now, reason), charge: true, event: 'breaker_opened' };
}

function tripReason(s: BreakerState): string | null {
  if (s.consecutive >= s.config.failures) {
    return s.consecutive === 1 ? 'its attempt failed' : `${s.consecutive} attempts failed in a row`;
  }
  const rate = s.config.rate;
  if (!rate || s.recent.length < rate.window) return null;
  const failed = s.recent.filter(Boolean).length;
  return failed / rate.window >= rate.ratio ? `${failed} of the last ${rate.window} attempts failed` : null;
}

function open(state: BreakerState, now: number, reason: string): BreakerState {
  return {
    ...state,
    mode: 'open',
    trips: state.trips + 1,
    openedAt: iso(now),
    reopensAt: iso(now + state.config.cooldownSeconds * 1000),
    probeAt: null,
    reason,
  };
}
