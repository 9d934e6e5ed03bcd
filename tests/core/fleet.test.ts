import { describe, expect, it } from 'vitest';
import { DEFAULT_CRASH_POLICY, decideScale, isDegraded, restartDelayMs, type ScaleInput } from '../../src/core/fleet.js';

const NOW = 1_000_000;
const rules = { readyPerWorker: 2, upForMs: 30_000, idleForMs: 300_000, step: 2, cooldownMs: 60_000 };
const busy = (id: string) => ({ id, idleSinceMs: null });
const idle = (id: string, forMs: number) => ({ id, idleSinceMs: NOW - forMs });
const input = (over: Partial<ScaleInput>): ScaleInput => ({
  now: NOW,
  ready: 0,
  members: [busy('a')],
  min: 1,
  max: 4,
  rules,
  lastScaledAt: null,
  pressureSince: null,
  ...over,
});

describe('decideScale', () => {
  it.each([
    ['starts the minimum', { members: [], min: 2 }, 2, [], false],
    ['first sight of a backlog: waits `for` before growing', { ready: 40 }, 1, [], false],
    ['a backlog held long enough grows by at most `step`', { ready: 40, pressureSince: NOW - 30_000 }, 3, [], true],
    [
      'never past the maximum',
      { ready: 40, members: [busy('a'), busy('b'), busy('c')], pressureSince: NOW - 60_000 },
      4,
      [],
      true,
    ],
    [
      'at the maximum it holds',
      { ready: 40, members: ['a', 'b', 'c', 'd'].map(busy), pressureSince: NOW - 60_000 },
      4,
      [],
      false,
    ],
    [
      'grows only as far as the backlog needs',
      { ready: 3, members: [busy('a')], pressureSince: NOW - 60_000, rules: { ...rules, step: 5 } },
      2,
      [],
      true,
    ],
    [
      'below the threshold per member it holds',
      { ready: 3, members: [busy('a'), busy('b')], pressureSince: NOW - 60_000 },
      2,
      [],
      false,
    ],
    [
      'cooling down after a change, it holds',
      { ready: 40, pressureSince: NOW - 60_000, lastScaledAt: NOW - 10_000 },
      1,
      [],
      false,
    ],
    [
      'idle long enough with nothing ready: stops the longest idle, by `step`',
      { members: [idle('a', 400_000), idle('b', 900_000), idle('c', 300_000), busy('d')] },
      2,
      ['b', 'a'],
      true,
    ],
    ['idle but not for long enough: holds', { members: [idle('a', 100_000), busy('b')] }, 2, [], false],
    ['never below the minimum', { members: [idle('a', 900_000), idle('b', 900_000)], min: 2 }, 2, [], false],
    ['idle members while work is ready: holds', { ready: 1, members: [idle('a', 900_000), busy('b')] }, 2, [], false],
    [
      'above the maximum (max lowered): stops the idle first',
      { members: [busy('a'), idle('b', 5), busy('c')], max: 2 },
      2,
      ['b'],
      true,
    ],
  ] as const)('%s', (_name, over, target, stop, scaled) => {
    const d = decideScale(input(over as Partial<ScaleInput>));
    expect({ target: d.target, stop: d.stop, scaled: d.scaled }).toEqual({ target, stop, scaled });
    expect(d.reason).not.toBe('');
  });

  it('remembers since when the backlog pressed, and forgets once it eases', () => {
    expect(decideScale(input({ ready: 40 })).pressureSince).toBe(NOW);
    expect(decideScale(input({ ready: 40, pressureSince: NOW - 5 })).pressureSince).toBe(NOW - 5);
    expect(decideScale(input({ ready: 1, pressureSince: NOW - 5 })).pressureSince).toBeNull();
  });

  it('says why it scaled', () => {
    expect(decideScale(input({ ready: 40, pressureSince: NOW - 30_000 })).reason).toBe(
      'scaled up: 40 ready, 40 per member ≥ 2 for 30s',
    );
  });
});

describe('crash handling', () => {
  it('restart delays double per crash in a row, up to the cap', () => {
    expect([1, 2, 3, 4, 10].map((s) => restartDelayMs(s, DEFAULT_CRASH_POLICY))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
  });

  it('a pool is degraded with enough crashes inside the window', () => {
    const p = { ...DEFAULT_CRASH_POLICY, degradedAfter: 3, windowMs: 10_000 };
    expect(isDegraded([NOW - 1, NOW - 2, NOW - 3], NOW, p)).toBe(true);
    expect(isDegraded([NOW - 1, NOW - 2, NOW - 20_000], NOW, p)).toBe(false);
  });
});
