import type { TaskDetail } from '../app/baton.js';
import type { Task, TaskEvent } from '../core/types.js';
import type { LongField } from './schemas.js';

/**
 * What agents read. Agents pay for every token, so tasks are shown as summaries in lists and as a
 * capped view on their own; a cut field says so, and `get_task` with `field` reads the rest.
 */

/** No tool response may exceed this many characters, whatever the size of the board. */
export const RESPONSE_BUDGET = 8000;
/** Room left for the summary line and the JSON around a page of items. */
const PAGE_BUDGET = RESPONSE_BUDGET - 1200;
/** Characters of a long field returned per `get_task` call with `field`. */
export const FIELD_CHUNK = 6000;

export interface TaskSummary {
  id: number;
  title: string;
  status: Task['status'];
  priority: Task['priority'];
  assignee: string | null;
  progress: number;
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `#12 "Write the docs"`: how a summary line names a task. */
export const label = (t: Task): string => `#${t.id} "${clip(t.title, 80)}"`;

export function summary(task: Task, titleMax = 120): TaskSummary {
  const { id, status, priority, assignee, progress } = task;
  return { id, title: clip(task.title, titleMax), status, priority, assignee, progress };
}

export const size = (value: unknown): number => JSON.stringify(value)?.length ?? 0;

/**
 * The longest prefix of `items` whose JSON fits `budget` characters (at least one item, which the
 * caller keeps small). Pages shrink instead of overflowing; the caller reports where to go on.
 */
export function fitItems<T>(items: readonly T[], budget = PAGE_BUDGET): T[] {
  let used = 2;
  const kept: T[] = [];
  for (const item of items) {
    used += size(item) + 1;
    if (used > budget && kept.length > 0) break;
    kept.push(item);
  }
  return kept;
}

interface Limits {
  text: number;
  json: number;
  list: number;
  items: number;
  item: number;
}

/** A normal view, and a tight one used when a task is so full that the normal one would not fit. */
const NORMAL: Limits = { text: 1500, json: 800, list: 20, items: 5, item: 300 };
const TIGHT: Limits = { text: 300, json: 200, list: 8, items: 2, item: 120 };

/** The full task, every long field capped; `truncated` lists what was cut and how to read it all. */
export function taskView(task: Task, detail?: Omit<TaskDetail, 'task'>): Record<string, unknown> {
  const normal = buildView(task, detail, NORMAL);
  return size(normal) <= PAGE_BUDGET ? normal : buildView(task, detail, TIGHT);
}

function buildView(task: Task, detail: Omit<TaskDetail, 'task'> | undefined, limits: Limits): Record<string, unknown> {
  const cut: Partial<Record<LongField | 'capabilities' | 'tags', number>> = {};
  const text = (field: LongField, value: string | null, max = limits.text) => {
    if (value !== null && value.length > max) cut[field] = value.length;
    return value === null ? null : clip(value, max);
  };
  const json = (field: LongField, value: unknown) => {
    const raw = JSON.stringify(value ?? null);
    if (raw.length <= limits.json) return value ?? null;
    cut[field] = raw.length;
    return `${raw.slice(0, limits.json)}…`;
  };
  const last = <T>(field: LongField, list: readonly T[], shorten: (item: T) => T) => {
    if (list.length > limits.items) cut[field] = list.length;
    return list.slice(-limits.items).map(shorten);
  };
  const names = (field: 'capabilities' | 'tags', list: readonly string[]) => {
    if (list.length > limits.list) cut[field] = list.length;
    return list.slice(0, limits.list).map((n) => clip(n, 40));
  };
  const view: Record<string, unknown> = {
    id: task.id,
    title: task.title,
    status: task.status,
    priority: task.priority,
    type: clip(task.type, 40),
    progress: task.progress,
    assignee: task.assignee,
    complexity: task.complexity,
    estimateMinutes: task.estimateMinutes,
    capabilities: names('capabilities', task.capabilities),
    resources: task.resources,
    tags: names('tags', task.tags),
    parentId: task.parentId,
    dependsOn: task.dependsOn.length > limits.list ? task.dependsOn.slice(0, limits.list) : task.dependsOn,
    description: text('description', task.description),
    command: text('command', task.command, limits.item),
    input: json('input', task.input),
    result: json('result', task.result),
    lastError: text('lastError', task.lastError, limits.item),
    attempts: task.attempts,
    retries: `${task.retries}/${task.maxRetries}`,
    review: task.review && { ...task.review, feedback: task.review.feedback && clip(task.review.feedback, limits.item) },
    lease: task.lease && { owner: task.lease.owner, token: task.lease.token, expiresAt: task.lease.expiresAt },
    notes: last('notes', task.notes, (n) => ({ ...n, by: clip(n.by, 40), text: clip(n.text, limits.item) })),
    checkpoints: last('checkpoints', task.checkpoints, (c) => ({ ...c, name: clip(c.name, 80) })),
    artifacts: last('artifacts', task.artifacts, (a) => ({ ...a, path: clip(a.path, 200) })),
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    completedAt: task.completedAt,
    runAfter: task.runAfter,
    recurrence: task.recurrence,
    version: task.version,
  };
  if (task.dependsOn.length > limits.list) cut.dependsOn = task.dependsOn.length;
  if (detail) Object.assign(view, detailView(detail, limits, cut));
  const fields = Object.keys(cut);
  if (fields.length > 0) {
    view.truncated = cut;
    view.more = `cut to save tokens: ${fields.join(', ')} (numbers are full lengths). Read one in full with get_task {"id": ${task.id}, "field": "<name>"}.`;
  }
  return view;
}

function detailView(detail: Omit<TaskDetail, 'task'>, limits: Limits, cut: Partial<Record<string, number>>) {
  const brief = <T extends { title: string }>(item: T) => ({ ...item, title: clip(item.title, 80) });
  const out: Record<string, unknown> = {
    blockedBy: detail.blockedBy.slice(0, limits.list).map(brief),
    // Its blockers are `blockedBy` above, already cut to size.
    waiting: detail.waiting
      ? { ...detail.waiting, blockedBy: undefined, message: clip(detail.waiting.message, limits.item) }
      : null,
    recentHistory: detail.history.slice(-limits.items).map(eventLine),
  };
  if (detail.blockedBy.length > limits.list) cut.dependsOn = detail.blockedBy.length;
  if (detail.history.length > limits.items) cut.history = detail.history.length;
  if (detail.subtasks) {
    out.subtasks = detail.subtasks.slice(0, limits.list).map(brief);
    if (detail.subtasks.length > limits.list) cut.subtasks = detail.subtasks.length;
  }
  return out;
}

/** One event as a short line: agents need what happened, not every before → after pair. */
export function eventLine(e: TaskEvent): string {
  const who = e.workerId ?? e.actor ?? 'system';
  const status = e.changes.status ? ` ${e.changes.status[0] ?? '∅'}→${e.changes.status[1]}` : '';
  return `${e.at} ${e.type}${status} by ${clip(who, 40)}`;
}

/** The text of a long field, in full (paged by the caller). */
export function fieldText(field: LongField, task: Task, detail: Omit<TaskDetail, 'task'>): string {
  switch (field) {
    case 'description':
      return task.description ?? '';
    case 'command':
      return task.command ?? '';
    case 'lastError':
      return task.lastError ?? '';
    case 'input':
      return JSON.stringify(task.input ?? null, null, 1);
    case 'result':
      return JSON.stringify(task.result ?? null, null, 1);
    case 'notes':
      return task.notes.map((n) => `[${n.at} ${n.by}] ${n.text}`).join('\n');
    case 'checkpoints':
      return task.checkpoints.map((c) => `[${c.at} ${c.by}] ${c.name} at ${c.progress}%`).join('\n');
    case 'artifacts':
      return task.artifacts.map((a) => `[${a.at} ${a.by}] ${a.path}`).join('\n');
    case 'history':
      return detail.history.map((e) => `#${e.id} ${eventLine(e)} ${JSON.stringify(e.changes)}`).join('\n');
    case 'dependsOn':
      return task.dependsOn.join(', ');
    case 'subtasks':
      return (detail.subtasks ?? []).map((s) => `#${s.id} [${s.status} ${s.progress}%] ${s.title}`).join('\n');
    default: {
      const never: never = field;
      return never;
    }
  }
}

/** A chunk of a long field from `offset`, with where to go on. */
export function fieldChunk(text: string, offset: number) {
  let chunk = text.slice(offset, offset + FIELD_CHUNK);
  // Quotes, newlines and control characters grow when escaped into JSON: shrink until it fits.
  for (let encoded = size(chunk); encoded > FIELD_CHUNK; encoded = size(chunk)) {
    chunk = chunk.slice(0, Math.floor((chunk.length * FIELD_CHUNK) / encoded) - 1);
  }
  const end = offset + chunk.length;
  return { offset, total: text.length, text: chunk, nextOffset: end < text.length ? end : null };
}
