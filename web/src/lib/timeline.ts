import type { TaskEvent } from '../../../src/core/types.js';
import { formatEstimate } from '../../../src/core/values.js';

/**
 * A task's history as sentences a person reads ("w1 claimed it", "progress 40 % — Writing
 * tests", "completed by w1 in 3m"). Lease renewals, and progress reports that repeat one value,
 * fold into one line with a count: they say the worker is alive, not that anything happened.
 */
export interface TimelineLine {
  /** The first event's id: stable across refreshes. */
  key: number;
  type: string;
  at: string;
  /** The last event folded into this line, when more than one was. */
  until: string | null;
  count: number;
  text: string;
  /** `bad` for failures and refusals, `good` for completion, else plain. */
  tone: 'good' | 'bad' | 'plain';
}

type Data = Record<string, unknown>;

const who = (e: TaskEvent) => e.workerId ?? (e.actor === 'system' ? 'Baton' : e.actor) ?? 'Baton';
const data = (e: TaskEvent): Data => e.data ?? {};
const after = (e: TaskEvent, field: string) => e.changes[field]?.[1];
const before = (e: TaskEvent, field: string) => e.changes[field]?.[0];
const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const ids = (v: unknown) => (Array.isArray(v) ? (v as number[]) : []);
const strings = (v: unknown) => (Array.isArray(v) ? (v as unknown[]).map(String) : []);

/** The text of a note the event added (progress with a message, or a plain note). */
function addedNote(e: TaskEvent): string | null {
  const notes = after(e, 'notes');
  if (!Array.isArray(notes) || notes.length === 0) return null;
  const last = notes.at(-1) as { text?: unknown } | undefined;
  return typeof last?.text === 'string' ? last.text : null;
}

function listDiff(label: string, from: unknown, to: unknown): string {
  const a = strings(from);
  const b = strings(to);
  const added = b.filter((x) => !a.includes(x)).map((x) => `+${x}`);
  const removed = a.filter((x) => !b.includes(x)).map((x) => `−${x}`);
  const parts = [...added, ...removed];
  return parts.length ? `${label} ${parts.join(' ')}` : `${label} unchanged`;
}

const minutes = (v: unknown) => (typeof v === 'number' ? formatEstimate(v) : 'none');
/** How long an attempt took, as estimates are written (`45s`, `3m`, `1h5m`). */
const took = (ms: number) => (ms < 60_000 ? `${Math.max(0, Math.round(ms / 1000))}s` : formatEstimate(ms / 60_000));

/** What an `updated` event changed, field by field. */
function updateText(e: TaskEvent): string {
  const parts = Object.entries(e.changes).map(([field, pair]) => {
    const [from, to] = pair as [unknown, unknown];
    switch (field) {
      case 'title':
        return `renamed it from “${clip(String(from))}” to “${clip(String(to))}”`;
      case 'description':
        return to ? 'edited the description' : 'removed the description';
      case 'priority':
        return `set priority ${String(from)} → ${String(to)}`;
      case 'capabilities':
        return listDiff('capabilities', from, to);
      case 'tags':
        return listDiff('tags', from, to);
      case 'estimateMinutes':
        return `estimate ${minutes(from)} → ${minutes(to)}`;
      case 'status':
      case 'readyAt':
        return null;
      default:
        return `changed ${field}`;
    }
  });
  const said = parts.filter((p): p is string => p !== null);
  return `${who(e)} ${said.length ? said.join('; ') : 'changed it'}`;
}

function failedText(e: TaskEvent): string {
  const error = typeof after(e, 'lastError') === 'string' ? `: ${clip(String(after(e, 'lastError')), 120)}` : '';
  const status = after(e, 'status');
  const next = status === 'failed' ? ' — no retries left' : status === 'queued' ? ' — it will be retried' : '';
  return `${who(e)} failed it${error}${next}`;
}

const UNASSIGN_REASON: Record<string, string> = {
  requested: 'dropped',
  worker_offline: 'dropped: the worker went offline',
  worker_stopped: 'dropped: the worker stopped',
};

/** One event as a sentence; `claimedAt` is when the attempt it ends began, if known. */
export function sentence(e: TaskEvent, claimedAt: string | null = null): string {
  const d = data(e);
  switch (e.type) {
    case 'created':
      return `${who(e)} created it${after(e, 'status') === 'blocked' ? ', waiting for its dependencies' : ''}`;
    case 'claimed':
      return `${who(e)} claimed it${typeof after(e, 'attempts') === 'number' && (after(e, 'attempts') as number) > 1 ? ` (attempt ${String(after(e, 'attempts'))})` : ''}`;
    case 'progress': {
      const note = addedNote(e);
      const pct = after(e, 'progress');
      const head = typeof pct === 'number' ? `progress ${pct} %` : 'progress';
      if (d.rollup) return `${head} as subtask #${String(d.by)} moved`;
      return `${head}${note ? ` — ${clip(note, 120)}` : ''}`;
    }
    case 'note_added':
      return `${who(e)} noted: ${clip(addedNote(e) ?? '', 160)}`;
    case 'completed': {
      if (d.rollup) return 'completed: every subtask is done';
      const spent = claimedAt ? ` in ${took(Date.parse(e.at) - Date.parse(claimedAt))}` : '';
      return after(e, 'status') === 'reviewing' ? `${who(e)} submitted it for review${spent}` : `completed by ${who(e)}${spent}`;
    }
    case 'failed':
      return failedText(e);
    case 'released':
      return `${who(e)} released it back to the queue`;
    case 'lease_expired':
      return `${String(d.worker ?? who(e))} stopped renewing its lease: back to the queue`;
    case 'lease_renewed':
      return `${who(e)} renewed the lease`;
    case 'paused':
      return `${who(e)} paused it${d.worker ? ` (stopping ${String(d.worker)}'s attempt)` : ''}`;
    case 'resumed':
      return `${who(e)} resumed it`;
    case 'retried':
      return `${who(e)} retried it`;
    case 'cancelled':
      return d.rollup
        ? 'cancelled: its subtasks were cancelled'
        : `${who(e)} cancelled it${d.reason ? `: ${clip(String(d.reason))}` : ''}`;
    case 'updated':
      return updateText(e);
    case 'dependency_added': {
      const added = ids(after(e, 'dependsOn')).filter((x) => !ids(before(e, 'dependsOn')).includes(x));
      return `${who(e)} made it wait for ${added.map((x) => `#${x}`).join(', ') || 'a condition'}`;
    }
    case 'dependency_removed': {
      const gone = ids(before(e, 'dependsOn')).filter((x) => !ids(after(e, 'dependsOn')).includes(x));
      return `${who(e)} removed the dependency on ${gone.map((x) => `#${x}`).join(', ')}`;
    }
    case 'unblocked':
      return `unblocked: #${String(d.by)} finished`;
    case 'assigned':
      return d.pushed ? `pushed to ${String(d.worker)} (critical)` : `${who(e)} reserved it for ${String(d.worker)}`;
    case 'unassigned':
      return `reservation for ${String(d.worker)} ${UNASSIGN_REASON[String(d.reason)] ?? 'dropped'}${d.note ? `: ${clip(String(d.note))}` : ''}`;
    case 'skipped':
      return 'skipped: a dependency did not let it run';
    case 'review_passed':
      return `${who(e)} passed the review`;
    case 'review_failed':
      return `${who(e)} failed the review${typeof after(e, 'lastError') === 'string' ? `: ${clip(String(after(e, 'lastError')))}` : ''}`;
    case 'broken_down':
      return `${who(e)} broke it down into subtasks${d.pattern ? ` (${String(d.pattern)})` : ''}`;
    case 'occurrence_created':
      return `occurrence #${String(d.occurrence)} created`;
    default:
      return `${who(e)}: ${e.type.replace(/_/g, ' ')}`;
  }
}

function toneOf(e: TaskEvent): TimelineLine['tone'] {
  if (e.type === 'completed' || e.type === 'review_passed') return 'good';
  if (['failed', 'lease_expired', 'review_failed', 'cancelled', 'skipped'].includes(e.type)) return 'bad';
  return 'plain';
}

/** Whether `e` folds into `line`: repeats that say nothing new. */
function folds(line: TimelineLine, last: TaskEvent, e: TaskEvent): boolean {
  if (e.type !== last.type || who(e) !== who(last)) return false;
  if (e.type === 'lease_renewed') return true;
  if (e.type !== 'progress') return false;
  if (data(e).rollup && data(last).rollup) return true;
  return after(e, 'progress') === after(last, 'progress') && addedNote(e) === null && line.count > 0;
}

/** The history, oldest first, as lines; folded lines say how many events they hold. */
export function timeline(events: readonly TaskEvent[]): TimelineLine[] {
  const lines: TimelineLine[] = [];
  let last: TaskEvent | null = null;
  let claimedAt: string | null = null;
  for (const e of events) {
    if (e.type === 'claimed') claimedAt = e.at;
    const line = lines.at(-1);
    if (line && last && folds(line, last, e)) {
      line.count++;
      line.until = e.at;
      line.text = foldedText(line, e);
    } else {
      lines.push({ key: e.id, type: e.type, at: e.at, until: null, count: 1, text: sentence(e, claimedAt), tone: toneOf(e) });
    }
    last = e;
    if (e.type === 'completed' || e.type === 'failed' || e.type === 'released' || e.type === 'lease_expired') claimedAt = null;
  }
  return lines;
}

function foldedText(line: TimelineLine, e: TaskEvent): string {
  if (e.type === 'lease_renewed') return `${who(e)} renewed the lease ${line.count} times`;
  if (data(e).rollup) return `progress ${String(after(e, 'progress'))} % as subtasks moved (${line.count} updates)`;
  // The first report's words stay (its note); the count says how often it was repeated.
  return `${line.text.replace(/ \(reported \d+ times\)$/, '')} (reported ${line.count} times)`;
}
