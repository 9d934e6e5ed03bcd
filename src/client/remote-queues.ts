import type {
  BreakdownAllOptions,
  BreakdownAllResult,
  ComplexityOverview,
  ComplexityReportQuery,
  PauseInput,
  QueuesReport,
} from '../app/baton.js';
import { pauseSchema } from '../core/queues.js';
import { breakdownAllSchema, complexityReportSchema, parseWith } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/**
 * RemoteBaton's pauses and queues, and the complexity report. Pausing and resuming set a state (pausing twice is pausing
 * once), so they are safe to repeat after a lost answer.
 */

export async function pauseClaims(http: HttpClient, raw: PauseInput = {}): Promise<QueuesReport> {
  return http.call('POST', '/system/pause', { body: parseWith(pauseSchema, raw), retry: 'always' });
}

export async function resumeClaims(http: HttpClient, raw: PauseInput = {}): Promise<QueuesReport> {
  return http.call('POST', '/system/resume', { body: parseWith(pauseSchema, raw), retry: 'always' });
}

export async function queues(http: HttpClient): Promise<QueuesReport> {
  return http.call('GET', '/queues', { retry: 'always' });
}

export async function complexityReport(http: HttpClient, raw: ComplexityReportQuery = {}): Promise<ComplexityOverview> {
  const { threshold } = parseWith(complexityReportSchema, raw);
  return http.call('GET', '/complexity', { query: { threshold }, retry: 'always' });
}

/** Not repeated after a lost answer: the tasks broken down then are no longer in the report, but a repeat could split new ones. */
export async function breakdownAll(http: HttpClient, raw: BreakdownAllOptions = {}): Promise<BreakdownAllResult> {
  return http.call('POST', '/breakdowns', { body: parseWith(breakdownAllSchema, raw) });
}
