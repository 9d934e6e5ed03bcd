import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/core/retry.js';
import type { RetryPolicySpec } from '../../src/core/types.js';

const policy = (overrides: Partial<RetryPolicySpec>): RetryPolicySpec => ({
  policy: 'exponential',
  baseSeconds: 10,
  maxSeconds: 600,
  jitter: 0,
  ...overrides,
});

describe('retryDelayMs', () => {
  it('immediate: no delay, whatever the retry and the draw', () => {
    for (const retry of [1, 2, 10]) expect(retryDelayMs(policy({ policy: 'immediate', jitter: 1 }), retry, 0.7)).toBe(0);
  });

  it('fixed: the base delay on every retry', () => {
    const fixed = policy({ policy: 'fixed', baseSeconds: 5 });
    expect([1, 2, 3, 8].map((r) => retryDelayMs(fixed, r, 0.3))).toEqual([5_000, 5_000, 5_000, 5_000]);
  });

  it('exponential: doubles from the base on each retry, up to the cap', () => {
    const exp = policy({ baseSeconds: 10, maxSeconds: 60 });
    expect([1, 2, 3, 4, 5, 20].map((r) => retryDelayMs(exp, r, 0.5))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  });

  it('jitter draws within the last fraction of the delay: random 0 gives the low end, random near 1 the cap', () => {
    const exp = policy({ baseSeconds: 10, maxSeconds: 600, jitter: 0.2 });
    expect(retryDelayMs(exp, 1, 0)).toBe(8_000);
    expect(retryDelayMs(exp, 1, 0.5)).toBe(9_000);
    expect(retryDelayMs(exp, 1, 0.999_999)).toBe(10_000);
    expect(retryDelayMs(policy({ policy: 'fixed', baseSeconds: 4, jitter: 1 }), 3, 0.25)).toBe(1_000);
  });

  it('jitter never takes a capped delay beyond the cap', () => {
    const exp = policy({ baseSeconds: 10, maxSeconds: 30, jitter: 0.5 });
    expect(retryDelayMs(exp, 10, 0.999_999)).toBeLessThanOrEqual(30_000);
    expect(retryDelayMs(exp, 10, 0)).toBe(15_000);
  });

  it('property: every delay lies in [delay × (1 − jitter), delay] and grows with the draw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RetryPolicySpec['policy']>('fixed', 'exponential'),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 0, max: 7200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (name, baseSeconds, maxSeconds, jitter, retry, r1, r2) => {
          const p = policy({ policy: name, baseSeconds, maxSeconds, jitter });
          const full = name === 'fixed' ? baseSeconds * 1000 : Math.min(baseSeconds * 1000 * 2 ** (retry - 1), maxSeconds * 1000);
          const d = retryDelayMs(p, retry, r1);
          expect(d).toBeGreaterThanOrEqual(Math.floor(full * (1 - jitter)));
          expect(d).toBeLessThanOrEqual(Math.ceil(full));
          const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
          expect(retryDelayMs(p, retry, lo)).toBeLessThanOrEqual(retryDelayMs(p, retry, hi));
        },
      ),
    );
  });
});
