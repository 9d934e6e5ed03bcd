import type { Analytics, AnalyticsQuery, Burndown, WorkerDetail } from '../app/baton.js';
import { analyticsQuerySchema, parseWith, taskIdSchema, workerIdSchema } from '../core/schemas.js';
import type { WorkerView } from '../core/types.js';
import type { HttpClient } from './http.js';

/** One metric of prom-client's JSON: its series, each with its labels and value. */
export type MetricsJson = {
  name: string;
  type: string;
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}[];

/**
 * RemoteBaton's views: the workers, one worker's record, analytics, an epic's burndown. Each is a
 * read, so each may be retried; inputs are checked here as LocalBaton checks them, and a bad one
 * is a rejected promise like any other refusal.
 */

export async function listWorkers(http: HttpClient, options: { available?: boolean }): Promise<WorkerView[]> {
  const answer = await http.call<{ workers: WorkerView[] }>('GET', '/workers', {
    query: { available: options.available || undefined },
  });
  return answer.workers;
}

export async function showWorker(http: HttpClient, raw: string): Promise<WorkerDetail> {
  const id = parseWith(workerIdSchema, raw, { what: 'worker id' });
  return http.call('GET', `/workers/${encodeURIComponent(id)}`, { retry: 'always' });
}

export async function analytics(http: HttpClient, raw: AnalyticsQuery): Promise<Analytics> {
  const q = parseWith(analyticsQuerySchema, raw);
  return http.call('GET', '/analytics', { query: { range: q.range }, retry: 'always' });
}

export async function burndown(http: HttpClient, raw: number): Promise<Burndown> {
  const id = parseWith(taskIdSchema, raw, { what: 'id' });
  return http.call('GET', `/tasks/${id}/burndown`, { retry: 'always' });
}
