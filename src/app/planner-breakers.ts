import type { PlannerName } from '../core/breakdown/types.js';
import { type BreakerState, breakerAfter, breakerGate, DEFAULT_BREAKER, newBreaker } from '../core/breaker.js';

/**
 * A circuit breaker per outside planner (`command`, `http`), in this process: a planner that keeps
 * failing (an agent CLI without credentials, an endpoint that times out) opens its breaker after
 * DEFAULT_BREAKER's failures in a row, and breakdowns use the rule planner straight away, saying
 * why, instead of waiting on it each time. After the cool-down one call goes through (half-open):
 * success closes the breaker, failure opens it again. The same rules as a worker's breaker
 * (`core/breaker.ts`); kept in memory, since a planner is called by the process that breaks down.
 */
export class PlannerBreakers {
  private readonly states = new Map<PlannerName, BreakerState>();

  /** Null when `planner` may be called now; otherwise why not, for the breakdown's fallback reason. */
  refusal(planner: PlannerName, now: number): string | null {
    const state = this.states.get(planner) ?? null;
    const gate = breakerGate(state, now);
    if (gate.allow) {
      if (gate.next) this.states.set(planner, gate.next);
      return null;
    }
    const until = new Date(gate.retryAtMs ?? now).toISOString();
    return `its circuit breaker is open (${state?.reason ?? 'it kept failing'}); it is called again after ${until}`;
  }

  /** What one call did: a failure may open the breaker, a success closes it. */
  record(planner: PlannerName, failed: boolean, now: number): void {
    const state = this.states.get(planner) ?? newBreaker(DEFAULT_BREAKER);
    this.states.set(planner, breakerAfter(state, failed, now).next);
  }
}
