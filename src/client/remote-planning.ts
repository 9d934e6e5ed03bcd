import type {
  BreakdownAllOptions,
  BreakdownAllResult,
  ComplexityOverview,
  ComplexityReportQuery,
  ExportPlanQuery,
  ImportPlanInput,
  PlanDocument,
  PlanImport,
} from '../app/baton.js';
import { breakdownAllSchema, complexityReportSchema, exportPlanSchema, importPlanSchema, parseWith } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/** RemoteBaton's complexity report, breaking down what it names, and plans in and out. */

export async function complexityReport(http: HttpClient, raw: ComplexityReportQuery = {}): Promise<ComplexityOverview> {
  const { threshold } = parseWith(complexityReportSchema, raw);
  return http.call('GET', '/complexity', { query: { threshold }, retry: 'always' });
}

/** Not repeated after a lost answer: the tasks broken down then are no longer in the report, but a repeat could split new ones. */
export async function breakdownAll(http: HttpClient, raw: BreakdownAllOptions = {}): Promise<BreakdownAllResult> {
  return http.call('POST', '/breakdowns', { body: parseWith(breakdownAllSchema, raw) });
}

/** Not repeated after a lost answer: the plan may have been written. */
export async function importPlan(http: HttpClient, raw: ImportPlanInput): Promise<PlanImport> {
  return http.call('POST', '/plans', { body: parseWith(importPlanSchema, raw) });
}

export async function exportPlan(http: HttpClient, raw: ExportPlanQuery = {}): Promise<PlanDocument> {
  const { root, skipCancelled } = parseWith(exportPlanSchema, raw);
  return http.call('GET', '/plans', { query: { root, skipCancelled }, retry: 'always' });
}
