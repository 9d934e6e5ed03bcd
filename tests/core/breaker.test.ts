import { describe, expect, it } from 'vitest';
import { type BreakerState, breakerAfter, breakerGate, newBreaker, parseBreakerSpec } from '../../src/core/breaker.js';
import { BatonError } from '../../src/core/errors.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const config = { failures: 3, cooldownSeconds: 60, rate: null };

/** Feeds outcomes (true: failed) through a breaker, returning each step's charge and event. */
function run(start: BreakerState, outcomes: boolean[], at = T0) {
  let state = start;
  const steps = outcomes.map((failed) => {
    const o = breakerAfter(state, failed, at);
    state = o.next;
    return { charge: o.charge, event: o.event, mode: o.next.mode };
  });
  return { state, steps };
}

describe('parseBreakerSpec', () => {
  it.each([
    ['', { failures: 5, cooldownSeconds: 600, rate: null }],
    ['5', { failures: 5, cooldownSeconds: 600, rate: null }],
    ['3,30s', { failures: 3, cooldownSeconds: 30, rate: null }],
    ['5,1h', { failures: 5, cooldownSeconds: 3600, rate: null }],
    ['5,10m,50%/20', { failures: 5, cooldownSeconds: 600, rate: { ratio: 0.5, window: 20 } }],
    ['5/10m', { failures: 5, cooldownSeconds: 600, rate: null }],
    [' 3 / 30s ', { failures: 3, cooldownSeconds: 30, rate: null }],
    ['5/10m,50%/20', { failures: 5, cooldownSeconds: 600, rate: { ratio: 0.5, window: 20 } }],
  ])('%j', (spec, expected) => expect(parseBreakerSpec(spec)).toEqual(expected));

  it.each([
    '0',
    'x',
    '5,soon',
    '5,10m,150%/20',
    '5,10m,50%',
    '5,10m,50%/1',
    '5,1m,50%/20,extra',
    '5/10m/1m',
    '5/',
    '5/10m,1m,50%/20',
    '/10m',
  ])('refuses %j', (spec) => {
    expect(() => parseBreakerSpec(spec)).toThrow(BatonError);
  });
});

describe('breakerAfter', () => {
  it('opens after N failures in a row, charging them; a success in between starts the count again', () => {
    const { state, steps } = run(newBreaker(config), [true, true, false, true, true, true]);
    expect(steps.map((s) => s.mode)).toEqual(['closed', 'closed', 'closed', 'closed', 'closed', 'open']);
    expect(steps.every((s) => s.charge)).toBe(true);
    expect(steps[5]?.event).toBe('breaker_opened');
    expect(state).toMatchObject({
      reason: '3 attempts failed in a row',
      reopensAt: new Date(T0 + 60_000).toISOString(),
      trips: 1,
    });
  });

  it('failures reported while open (attempts still running when it tripped) are not charged and keep the cool-down', () => {
    const open = run(newBreaker(config), [true, true, true]).state;
    const later = breakerAfter(open, true, T0 + 30_000);
    expect(later).toMatchObject({ charge: false, event: null });
    expect(later.next.reopensAt).toBe(open.reopensAt);
  });

  it('opens on a failure (never a success) once the rate over a full window reaches the ratio', () => {
    const rated = newBreaker({ failures: 100, cooldownSeconds: 60, rate: { ratio: 0.5, window: 4 } });
    const { steps, state } = run(rated, [false, true, false, true]);
    expect(steps.map((s) => s.mode)).toEqual(['closed', 'closed', 'closed', 'open']);
    expect(state.reason).toBe('2 of the last 4 attempts failed');
    expect(run(rated, [true, false, false, false, true]).state.mode).toBe('closed');
  });
});

describe('breakerGate', () => {
  const open = run(newBreaker(config), [true, true, true]).state;

  it('a closed breaker (or none) lets every claim through without a limit', () => {
    expect(breakerGate(null, T0)).toMatchObject({ allow: true, limit: null, next: null });
    expect(breakerGate(newBreaker(config), T0)).toMatchObject({ allow: true, limit: null, next: null });
  });

  it('an open breaker refuses claims until its cool-down passes, then lets one through half-open', () => {
    expect(breakerGate(open, T0 + 59_999)).toMatchObject({ allow: false, retryAtMs: T0 + 60_000 });
    const gate = breakerGate(open, T0 + 60_000);
    expect(gate).toMatchObject({ allow: true, limit: 1 });
    expect(gate.next?.mode).toBe('half_open');
    // The probe is out: no second claim until it reports (or a cool-down passes without word).
    const half = gate.next as BreakerState;
    expect(breakerGate(half, T0 + 61_000).allow).toBe(false);
    expect(breakerGate(half, T0 + 120_000).allow).toBe(true);
  });

  it('the half-open probe: success closes it and clears the count; failure opens it again uncharged', () => {
    const half = breakerGate(open, T0 + 60_000).next as BreakerState;
    const ok = breakerAfter(half, false, T0 + 61_000);
    expect(ok).toMatchObject({ charge: true, event: 'breaker_closed' });
    expect(ok.next).toMatchObject({ mode: 'closed', consecutive: 0, trips: 0, reason: null });
    const bad = breakerAfter(half, true, T0 + 61_000);
    expect(bad).toMatchObject({ charge: false, event: 'breaker_opened' });
    expect(bad.next).toMatchObject({
      mode: 'open',
      reason: 'the half-open probe failed',
      reopensAt: new Date(T0 + 121_000).toISOString(),
    });
  });
});
