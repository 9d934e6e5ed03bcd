/**
 * Splits `total` minutes by relative `weights` into whole minutes that add up to `total` exactly
 * (largest remainder), giving every part at least one minute when there are enough minutes.
 */
export function splitEstimate(total: number, weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  const whole = Math.round(total);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (w / sum) * whole : whole / n));
  const parts = exact.map(Math.floor);
  let left = whole - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] as number) + 1;
    left--;
  }
  if (whole >= n) {
    // A zero-minute step would be a task nobody plans for; borrow a minute from the largest part.
    for (let i = 0; i < n; i++) {
      if (parts[i] !== 0) continue;
      const largest = parts.indexOf(Math.max(...parts));
      parts[largest] = (parts[largest] as number) - 1;
      parts[i] = 1;
    }
  }
  return parts;
}

/** The step a planner rounds an estimate of this size to: 15 m below 2 h, 30 m below 8 h, 1 h above. */
export function planningStep(minutes: number): number {
  return minutes < 120 ? 15 : minutes < 480 ? 30 : 60;
}

/**
 * Splits `total` minutes by `weights` into parts a planner would write (each a multiple of its
 * planning step), still adding up to `total`: whatever the steps cannot hold (a total that is not
 * itself round) goes to the largest part. Too small a total to round is split exactly.
 */
export function splitRounded(total: number, weights: readonly number[]): number[] {
  const whole = Math.round(total);
  const n = weights.length;
  if (n === 0 || whole < n * 15) return splitEstimate(whole, weights);
  const exact = splitEstimate(whole, weights);
  const parts = exact.map((x) => {
    const step = planningStep(x);
    return Math.max(step, Math.round(x / step) * step);
  });
  let diff = whole - parts.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    // The part furthest from its exact share in the direction of the difference moves one step.
    const order = parts
      .map((p, i) => ({ i, error: ((exact[i] as number) - p) * Math.sign(diff) }))
      .sort((a, b) => b.error - a.error || (diff > 0 ? a.i - b.i : b.i - a.i));
    const pick = order.find(({ i }) => {
      const step = planningStep(exact[i] as number);
      const moved = (parts[i] as number) + Math.sign(diff) * step;
      return step <= Math.abs(diff) && moved >= step && onStep(moved);
    });
    if (!pick) {
      if (settleOnSteps(parts, diff)) break;
      const largest = parts.indexOf(Math.max(...parts));
      parts[largest] = (parts[largest] as number) + diff;
      break;
    }
    const step = planningStep(exact[pick.i] as number);
    parts[pick.i] = (parts[pick.i] as number) + Math.sign(diff) * step;
    diff -= Math.sign(diff) * step;
  }
  return parts;
}

/** Whether `v` minutes is a part a planner would write: a positive multiple of its own step. */
const onStep = (v: number) => v > 0 && v % planningStep(v) === 0;

/**
 * The last `diff` no single step can take (a 15-minute remainder among parts counted in hours):
 * one part takes it, give or take whole hours that another part gives back, when both stay on
 * their steps. Changes `parts` and answers true if it found such a pair.
 */
function settleOnSteps(parts: number[], diff: number): boolean {
  for (let hours = 0; hours <= 8; hours++) {
    for (const sign of hours === 0 ? [1] : [1, -1]) {
      const shift = sign * hours * 60;
      for (let i = 0; i < parts.length; i++) {
        const taken = (parts[i] as number) + diff + shift;
        if (!onStep(taken)) continue;
        if (shift === 0) {
          parts[i] = taken;
          return true;
        }
        const j = parts.findIndex((p, k) => k !== i && onStep(p - shift));
        if (j < 0) continue;
        parts[i] = taken;
        parts[j] = (parts[j] as number) - shift;
        return true;
      }
    }
  }
  return false;
}
