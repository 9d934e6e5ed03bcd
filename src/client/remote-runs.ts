import type {
  RunDetail,
  RunQueryInput,
  WorkflowAdded,
  WorkflowRecord,
  WorkflowRun,
  WorkflowSummary,
  WorkflowValidation,
} from '../app/baton.js';
import { approveStepSchema, parseWith, runIdSchema, runQuerySchema, startRunSchema, workflowRefSchema } from '../core/schemas.js';
import type { HttpClient } from './http.js';

/**
 * RemoteBaton's workflow calls: definitions and runs. Registering the same definition twice
 * changes nothing, so those calls are retried; starting and cancelling a run are not: neither is
 * safe to repeat blindly.
 */

export async function validateWorkflow(
  http: HttpClient,
  source: string,
  options: { file?: string },
): Promise<WorkflowValidation> {
  return http.call('POST', '/workflows/validate', { body: { source, ...options }, retry: 'always' });
}

export async function addWorkflow(http: HttpClient, source: string, options: { file?: string }): Promise<WorkflowAdded> {
  return http.call('POST', '/workflows', { body: { source, ...options }, retry: 'always' });
}

export async function listWorkflows(http: HttpClient): Promise<WorkflowSummary[]> {
  return (await http.call<{ workflows: WorkflowSummary[] }>('GET', '/workflows')).workflows;
}

export async function getWorkflow(http: HttpClient, name: string, options: { version?: number }): Promise<WorkflowRecord> {
  const ref = parseWith(workflowRefSchema, { name, ...options });
  return http.call('GET', `/workflows/${encodeURIComponent(ref.name)}`, { query: { version: ref.version } });
}

export async function startRun(
  http: HttpClient,
  name: string,
  options: { params?: Record<string, unknown>; version?: number },
): Promise<RunDetail> {
  const ref = parseWith(startRunSchema, { name, ...options });
  return http.call('POST', `/workflows/${encodeURIComponent(ref.name)}/runs`, {
    body: { ...(ref.params !== undefined && { params: ref.params }), ...(ref.version !== undefined && { version: ref.version }) },
  });
}

export async function getRun(http: HttpClient, id: number): Promise<RunDetail> {
  return http.call('GET', `/runs/${parseWith(runIdSchema, id, { what: 'run id' })}`);
}

export async function listRuns(http: HttpClient, query: RunQueryInput): Promise<WorkflowRun[]> {
  const q = parseWith(runQuerySchema, query);
  return (await http.call<{ runs: WorkflowRun[] }>('GET', '/runs', { query: { name: q.name, status: q.status } })).runs;
}

export async function cancelRun(http: HttpClient, id: number, options: { reason?: string }): Promise<RunDetail> {
  return http.call('POST', `/runs/${parseWith(runIdSchema, id, { what: 'run id' })}/cancel`, { body: options });
}

/** The server decides with the role of the key it is called with. */
export async function approveStep(
  http: HttpClient,
  id: number,
  step: string,
  options: { reject?: boolean; comment?: string },
): Promise<RunDetail> {
  const input = parseWith(approveStepSchema, { step, ...options });
  const run = parseWith(runIdSchema, id, { what: 'run id' });
  return http.call('POST', `/runs/${run}/steps/${input.step}/approve`, {
    body: {
      ...(input.reject !== undefined && { reject: input.reject }),
      ...(input.comment !== undefined && { comment: input.comment }),
    },
  });
}
