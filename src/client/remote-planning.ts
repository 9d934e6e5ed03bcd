import type { BreakdownAllOptions, BreakdownAllResult, ComplexityOverview, ComplexityReportQuery } from '../app/baton.js';
import { breakdownAllSchema, complexityReportSchema, parseWith } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/** RemoteBaton's complexity report, and breaking down what it names. */

export async function complexityReport(http: HttpClient, raw: ComplexityReportQuery = {}): Promise<ComplexityOverview> {
  const { threshold } = parseWith(complexityReportSchema, raw);
  return http.call('GET', '/complexity', { query: { threshold }, retry: 'always' });
}

/** Not repeated after a lost answer: the tasks broken down then are no longer in the report, but a repeat could split new ones. */
export async function breakdownAll(http: HttpClient, raw: BreakdownAllOptions = {}): Promise<BreakdownAllResult> {
  return http.call('POST', '/breakdowns', { body: parseWith(breakdownAllSchema, raw) });
}
