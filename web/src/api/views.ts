// Calls of the task page, the worker page and analytics, on the shared client. Kept apart from
// client.ts so each page's needs read in one place.
import type { Analytics, AnalyticsRange } from '../../../src/core/analytics.js';
import type { Burndown } from '../../../src/core/burndown.js';
import type { WorkerDetail } from '../../../src/core/worker-record.js';
import { api } from '../lib/session';
import type { Task, TaskPage } from './types';

export type { Analytics, AnalyticsGroup, AnalyticsRange, EpicRef } from '../../../src/core/analytics.js';
export { ANALYTICS_RANGES } from '../../../src/core/analytics.js';
export type { Burndown } from '../../../src/core/burndown.js';
export type { TaskBrief, WorkerDetail } from '../../../src/core/worker-record.js';

/** The fields a person edits on the task page. */
export interface TaskEdit {
  title?: string;
  description?: string | null;
  capabilities?: string[];
  tags?: string[];
  estimateMinutes?: number | null;
}

const guard = (version: number) => ({ 'if-match': `"${version}"` });

/** Changes fields of the task as it was at `version`; someone else's change meanwhile is a 409. */
export function editTask(id: number, edit: TaskEdit, version: number): Promise<Task> {
  return api.request('PATCH', `/tasks/${id}`, { body: edit, headers: guard(version) });
}

export function addDependency(id: number, dependsOn: number, version: number): Promise<Task> {
  return api.request('POST', `/tasks/${id}/dependencies`, { body: { dependsOn: [dependsOn] }, headers: guard(version) });
}

export function removeDependency(id: number, dependsOn: number, version: number): Promise<Task> {
  return api.request('DELETE', `/tasks/${id}/dependencies/${dependsOn}`, { headers: guard(version) });
}

export function assignTask(id: number, workerId: string, force = false): Promise<Task> {
  return api.request('POST', `/tasks/${id}/assign`, { body: { workerId, ...(force && { force: true }) } });
}

/** Tasks whose title or description has these words (the server's full-text index). */
export function searchTasks(q: string, limit = 10): Promise<TaskPage> {
  return api.request('GET', '/tasks', { query: { q, limit, sort: 'updated' } });
}

export function workerDetail(id: string): Promise<WorkerDetail> {
  return api.request('GET', `/workers/${encodeURIComponent(id)}`);
}

export function analytics(range: AnalyticsRange): Promise<Analytics> {
  return api.request('GET', '/analytics', { query: { range } });
}

export function burndown(id: number): Promise<Burndown> {
  return api.request('GET', `/tasks/${id}/burndown`);
}
