import type { RetryPolicy } from './policy.js';

/**
 * Delay before retry number `retry` (1 for the first retry), in milliseconds.
 * `random` is passed in (0 ≤ r < 1) so that the rule stays pure and testable.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: number): number {
  const base = policy.baseSeconds * 1000;
  let delay: number;
  switch (policy.policy) {
    case 'immediate':
      return 0;
    case 'fixed':
      delay = base;
      break;
    case 'exponential':
      delay = Math.min(base * 2 ** Math.max(0, retry - 1), policy.maxSeconds * 1000);
      break;
    default: {
      const never: never = policy.policy;
      throw new Error(`unknown retry policy ${String(never)}`);
    }
  }
  // Full jitter on a fraction of the delay: spreads retries without ever exceeding the cap.
  const jitterSpan = delay * policy.jitter;
  return Math.round(delay - jitterSpan + jitterSpan * random);
}
