/**
 * Fleets: pools of workers a supervisor keeps alive and sizes by the queue. Pure rules: the size a
 * pool should have now and why, and how long a crashed member waits before it is started again.
 */

export interface ScaleRules {
  /** Grow when ready tasks per member reach this, continuously for `upForMs`. */
  readyPerWorker: number;
  upForMs: number;
  /** Shrink by members idle at least this long. */
  idleForMs: number;
  /** Members added or removed at most per decision. */
  step: number;
  /** No scaling decision within this long of the last one (restarts and min/max still apply). */
  cooldownMs: number;
}

export const DEFAULT_SCALE: ScaleRules = { readyPerWorker: 2, upForMs: 30_000, idleForMs: 300_000, step: 1, cooldownMs: 60_000 };

export interface ScaleMember {
  id: string;
  /** Since when it holds no task (ms); null while busy. */
  idleSinceMs: number | null;
}

export interface ScaleInput {
  now: number;
  /** Ready tasks some member of this pool could claim (capabilities it has). */
  ready: number;
  /** Live members (starting, running), not those stopping. */
  members: readonly ScaleMember[];
  min: number;
  max: number;
  rules: ScaleRules;
  /** When the last scaling decision was taken (ms), or null. */
  lastScaledAt: number | null;
  /** Since when the backlog has been over the threshold (as the last decision returned it). */
  pressureSince: number | null;
}

export interface ScaleDecision {
  target: number;
  reason: string;
  /** Idle members to stop gracefully, longest idle first. */
  stop: string[];
  /** Pass back as `pressureSince` next time. */
  pressureSince: number | null;
  /** Whether this decision scaled (starts the cool-down). */
  scaled: boolean;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/** The size a pool should have now, which idle members to stop, and why. */
export function decideScale(input: ScaleInput): ScaleDecision {
  const { now, ready, members, min, max, rules } = input;
  const n = members.length;
  const perWorker = ready / Math.max(n, 1);
  const pressed = ready > 0 && perWorker >= rules.readyPerWorker;
  const pressureSince = pressed ? (input.pressureSince ?? now) : null;
  const hold = (reason: string): ScaleDecision => ({ target: n, reason, stop: [], pressureSince, scaled: false });
  if (n < min) return { target: min, reason: `below the minimum of ${min}`, stop: [], pressureSince, scaled: false };
  if (n > max) return { ...shrink(members, n - max, now), target: max, reason: `above the maximum of ${max}`, pressureSince };
  const cooling = input.lastScaledAt !== null && now - input.lastScaledAt < rules.cooldownMs;
  if (pressed && n < max) {
    const since = pressureSince ?? now;
    if (now - since < rules.upForMs) {
      return hold(`${ready} ready, ${round(perWorker)} per member: waiting ${seconds(rules.upForMs)} before scaling up`);
    }
    if (cooling) return hold(`${ready} ready: cooling down after the last change`);
    const wanted = Math.max(n + 1, Math.ceil(ready / rules.readyPerWorker));
    const target = Math.min(max, n + rules.step, wanted);
    const reason = `scaled up: ${ready} ready, ${round(perWorker)} per member ≥ ${rules.readyPerWorker} for ${seconds(now - since)}`;
    return { target, reason, stop: [], pressureSince, scaled: true };
  }
  const idle = members.filter((m) => m.idleSinceMs !== null && now - m.idleSinceMs >= rules.idleForMs);
  if (ready === 0 && idle.length > 0 && n > min) {
    if (cooling) return hold(`${idle.length} idle: cooling down after the last change`);
    const count = Math.min(rules.step, idle.length, n - min);
    return {
      ...shrink(idle, count, now),
      target: n - count,
      reason: `scaled down: ${idle.length} idle for ${seconds(rules.idleForMs)} or more`,
      pressureSince,
    };
  }
  if (pressed) return hold(`${ready} ready: at the maximum of ${max}`);
  return hold(ready > 0 ? `${ready} ready, ${round(perWorker)} per member` : 'no ready tasks for this pool');
}

/** Stops `count` members, the longest idle first (busy ones last). */
function shrink(members: readonly ScaleMember[], count: number, now: number): Pick<ScaleDecision, 'stop' | 'scaled'> {
  const idleFor = (m: ScaleMember) => (m.idleSinceMs === null ? -1 : now - m.idleSinceMs);
  const stop = [...members]
    .sort((a, b) => idleFor(b) - idleFor(a))
    .slice(0, count)
    .map((m) => m.id);
  return { stop, scaled: true };
}

const round = (x: number) => Math.round(x * 10) / 10;

export interface CrashPolicy {
  /** First restart delay; doubles per crash in a row, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** This many crashes within `windowMs` mark the pool degraded. */
  degradedAfter: number;
  windowMs: number;
}

export const DEFAULT_CRASH_POLICY: CrashPolicy = { backoffMs: 1_000, maxBackoffMs: 60_000, degradedAfter: 5, windowMs: 60_000 };

/** Delay before starting a member again after its `streak`-th crash in a row (1 = the first). */
export function restartDelayMs(streak: number, policy: CrashPolicy): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, streak - 1));
}

/** Whether a pool crash-loops: enough crashes (times in ms) within the window before `now`. */
export function isDegraded(crashes: readonly number[], now: number, policy: CrashPolicy): boolean {
  return crashes.filter((t) => now - t < policy.windowMs).length >= policy.degradedAfter;
}
