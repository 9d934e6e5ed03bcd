import picocolors from 'picocolors';

/**
 * Colours of human output: on only when standard output is a terminal, off with `NO_COLOR` (set and not
 * empty) or `TERM=dumb`; `FORCE_COLOR` turns them on anyway. Piped output never carries escapes.
 */
export function colorsWanted(env: NodeJS.ProcessEnv = process.env, tty = Boolean(process.stdout.isTTY)): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return tty && env.TERM !== 'dumb';
}

export const pc = picocolors.createColors(colorsWanted());

/**
 * Columns to fit: `COLUMNS` when set, else the terminal's; output to a pipe or a file (no terminal,
 * no `COLUMNS`) is not cut at all.
 */
export function terminalWidth(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : Number.POSITIVE_INFINITY;
}

/** A time relative to now, as a person says it: "just now", "3 min ago", "2 h ago", "in 5 d". */
export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return '-';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  const [n, unit] =
    abs < 90 * 60
      ? [Math.round(abs / 60), 'min']
      : abs < 48 * 3600
        ? [Math.round(abs / 3600), 'h']
        : [Math.round(abs / 86400), 'd'];
  return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}
