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
