/**
 * The output protocol of commands a worker runs: besides ordinary output, a line
 * `::progress 40 Writing tests` reports progress (and the step reached), and a line
 * `::result {"json":…}` gives the task's result. Everything else is just output.
 */
export type ProtocolLine =
  | { kind: 'progress'; percent: number; step: string | null }
  | { kind: 'result'; value: unknown }
  | { kind: 'invalid'; message: string };

const PROGRESS = /^::progress\s+(-?\d+(?:\.\d+)?)%?(?:\s+(.*))?$/;
const RESULT = /^::result(?:\s+(.*))?$/;

/** The protocol message a line carries, or null for ordinary output. */
export function parseProtocolLine(raw: string): ProtocolLine | null {
  const line = raw.trimEnd();
  if (!line.startsWith('::')) return null;
  const progress = PROGRESS.exec(line);
  if (progress) {
    const percent = Number(progress[1]);
    if (percent < 0 || percent > 100) return { kind: 'invalid', message: `::progress ${progress[1]}: must be 0–100` };
    return { kind: 'progress', percent, step: progress[2]?.trim() || null };
  }
  const result = RESULT.exec(line);
  if (result) {
    try {
      return { kind: 'result', value: JSON.parse(result[1] ?? '') };
    } catch (err) {
      return { kind: 'invalid', message: `::result: not valid JSON (${(err as Error).message})` };
    }
  }
  if (line.startsWith('::progress'))
    return { kind: 'invalid', message: `${line.slice(0, 60)}: expected ::progress PERCENT [STEP]` };
  return null;
}

/** Splits a byte stream into lines, keeping an unfinished last line for the next chunk. */
export class LineSplitter {
  private rest = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
  }

  end(onLine: (line: string) => void): void {
    if (this.rest) onLine(this.rest);
    this.rest = '';
  }
}
