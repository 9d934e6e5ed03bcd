import pc from 'picocolors';
import type { WorkerEvent } from './types.js';

/** Shows what a worker does: a live view on a terminal, else one line (or JSON line) per event. */
export interface WorkerView {
  onEvent(event: WorkerEvent): void;
  close(): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)}s`;
const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The text of one event, or null for events a log need not show. */
export function describe(e: WorkerEvent): string | null {
  switch (e.type) {
    case 'online':
      return `worker ${e.workerId} online (capabilities: ${e.capabilities.join(',') || '-'}; concurrency ${e.concurrency})`;
    case 'claimed':
      return `claimed #${e.task.id} ${e.task.title} (attempt ${e.task.attempts})`;
    case 'progress':
      return `progress #${e.taskId} ${e.progress}%${e.step ? `: ${clip(oneLine(e.step), 200)}` : ''}`;
    case 'completed':
      return `${e.task.status === 'reviewing' ? 'submitted for review' : 'completed'} #${e.task.id} in ${seconds(e.ms)}`;
    case 'failed':
      return `failed #${e.task.id} after ${seconds(e.ms)}${e.retrying ? ` (will retry ${e.task.retries}/${e.task.maxRetries})` : ' (no retries left)'}: ${clip(oneLine(e.error), 200)}`;
    case 'released':
      return `released #${e.taskId}: ${e.reason}`;
    case 'lost':
      return `gave up #${e.taskId}: ${e.reason}`;
    case 'paused':
      return `paused #${e.taskId}: its work was stopped; it runs again once resumed`;
    case 'stopping':
      return `stopping: no new tasks; running ones get ${e.graceSeconds}s (signal again to release them now)`;
    case 'stopped':
      return 'stopped';
    case 'error':
      return `error${e.taskId !== null ? ` on #${e.taskId}` : ''}: ${e.error}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/** One line per event: `--json` gives JSON lines, else timestamped text. */
export function lineView(json: boolean, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): WorkerView {
  return {
    onEvent(e) {
      if (json) {
        const { task, ...rest } = e as WorkerEvent & { task?: { id: number; title: string; status: string } };
        const out = task ? { ...rest, taskId: task.id, title: task.title, status: task.status } : rest;
        write(JSON.stringify({ ...out, at: new Date(e.at).toISOString() }));
        return;
      }
      const text = describe(e);
      if (text) write(`${new Date(e.at).toISOString()} ${text}`);
    },
    close() {},
  };
}

interface Row {
  id: number;
  title: string;
  progress: number;
  step: string | null;
  since: number;
}

/** Live view for a terminal, drawn with log-update (loaded only here, so other commands stay fast). */
export async function liveView(workerId: string): Promise<WorkerView> {
  const { createLogUpdate } = await import('log-update');
  const draw = createLogUpdate(process.stdout, { showCursor: false });
  const rows = new Map<number, Row>();
  const totals = { done: 0, failed: 0, retried: 0 };
  const started = Date.now();
  let concurrency = 1;
  let footer = '';

  const render = () => {
    const cols = process.stdout.columns || 100;
    const lines = [...rows.values()].map((r) => {
      const bar = progressBar(r.progress);
      const head = `${pc.bold(`#${r.id}`)} ${clip(r.title, 36).padEnd(36)} ${bar} `;
      return clip(`${head}${pc.dim(`${seconds(Date.now() - r.since)}`)} ${r.step ?? ''}`, cols + 20);
    });
    const summary = [
      pc.bold(workerId),
      `${rows.size}/${concurrency} running`,
      pc.green(`done ${totals.done}`),
      pc.red(`failed ${totals.failed}`),
      pc.yellow(`retried ${totals.retried}`),
      pc.dim(`up ${uptime(Date.now() - started)}`),
    ].join(pc.dim(' · '));
    draw([...lines, rows.size === 0 ? pc.dim('waiting for work…') : '', summary, footer].filter(Boolean).join('\n'));
  };
  const persist = (line: string) => {
    draw.clear();
    process.stdout.write(`${line}\n`);
    render();
  };
  const timer = setInterval(render, 200);

  return {
    onEvent(e) {
      switch (e.type) {
        case 'online':
          concurrency = e.concurrency;
          break;
        case 'claimed':
          rows.set(e.task.id, { id: e.task.id, title: e.task.title, progress: e.task.progress, step: null, since: e.at });
          break;
        case 'progress': {
          const row = rows.get(e.taskId);
          if (row) Object.assign(row, { progress: e.progress, step: e.step ?? row.step });
          return;
        }
        case 'completed':
          totals.done++;
          rows.delete(e.task.id);
          break;
        case 'failed':
          if (e.retrying) totals.retried++;
          else totals.failed++;
          rows.delete(e.task.id);
          break;
        case 'released':
        case 'lost':
        case 'paused':
          rows.delete(e.taskId);
          break;
        case 'stopping':
          footer = pc.yellow(describe(e) ?? '');
          break;
        default:
          break;
      }
      const text = describe(e);
      if (text && e.type !== 'stopping' && e.type !== 'online') persist(pc.dim(`${timeOfDay(e.at)} `) + text);
      else render();
    },
    close() {
      clearInterval(timer);
      render();
      draw.done();
    },
  };
}

function progressBar(percent: number, size = 20): string {
  const filled = Math.round((percent / 100) * size);
  return `${pc.green('█'.repeat(filled))}${pc.dim('░'.repeat(size - filled))} ${String(Math.round(percent)).padStart(3)}%`;
}

function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function timeOfDay(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}
