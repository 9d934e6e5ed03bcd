import type {
  Alert,
  AssignmentExplanation,
  BreakdownResult,
  BulkAction,
  BulkResult,
  CreateTaskInput,
  Identity,
  ListParams,
  PlanImport,
  PoolStatus,
  Priority,
  QueuesReport,
  Resource,
  RunDetail,
  SystemStatus,
  Task,
  TaskAnalysis,
  TaskCounts,
  TaskDetail,
  TaskEvent,
  TaskFilterParams,
  TaskPage,
  TeamView,
  WorkerLoad,
  WorkerView,
  WorkflowRecord,
  WorkflowRun,
  WorkflowSummary,
} from './types';

export const API = '/api/v1';

/** A refusal from the server, carrying its code and the field it names when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
  }

  /** The input field a validation error names (`title`, `estimateMinutes`…), if any. */
  get field(): string | null {
    const field = this.details?.field;
    return typeof field === 'string' ? field : null;
  }
}

export type { BulkAction, BulkResult, ListParams, TaskCounts, TaskFilterParams } from './types';

function filterQuery(p: TaskFilterParams): Query {
  return {
    status: p.status?.join(','),
    worker: p.worker,
    tag: p.tag,
    parent: p.parentId,
    q: p.q,
    priority: p.priority?.join(','),
    capability: p.capability?.join(','),
    open: p.open || undefined,
    parents: p.parents,
  };
}

type Query = Record<string, string | number | boolean | undefined>;

export interface ClientHooks {
  token: () => string | null;
  /** Called on 401 so the app can ask for a key. */
  onUnauthorized: () => void;
}

function toQuery(q: Query): string {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy page, an empty body): fall back to the status line.
  }
  const err = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
  return new ApiError(
    res.status,
    err?.code ?? `http_${res.status}`,
    err?.message ?? `${res.status} ${res.statusText}`,
    err?.details ?? null,
  );
}

export class ApiClient {
  constructor(private readonly hooks: ClientHooks) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.hooks.token();
    return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  }

  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; query?: Query; headers?: Record<string, string>; signal?: AbortSignal | undefined } = {},
  ) {
    const init: RequestInit = {
      method,
      headers: this.headers(options.headers),
      ...(options.signal && { signal: options.signal }),
    };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(`${API}${path}${toQuery(options.query ?? {})}`, init);
    } catch (e) {
      if (options.signal?.aborted) throw e;
      throw new ApiError(0, 'network', 'The server cannot be reached. Is `baton serve` running?');
    }
    if (res.status === 401) this.hooks.onUnauthorized();
    if (!res.ok) throw await errorOf(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  listTasks(p: ListParams = {}, signal?: AbortSignal): Promise<TaskPage> {
    return this.request('GET', '/tasks', {
      query: { ...filterQuery(p), ready: p.ready, sort: p.sort, limit: p.limit, offset: p.offset, cursor: p.cursor },
      signal,
    });
  }

  /** How many tasks a filter selects, per status: one call for every column of the board. */
  countTasks(p: TaskFilterParams = {}, signal?: AbortSignal): Promise<TaskCounts> {
    return this.request('GET', '/tasks/counts', { query: filterQuery(p), signal });
  }

  /** One action on several tasks, all or nothing: a single refusal changes none of them. */
  bulk(input: { action: BulkAction; ids: number[]; priority?: Priority; reason?: string }): Promise<BulkResult> {
    return this.request('POST', '/tasks/bulk', { body: input });
  }

  getTask(id: number): Promise<Task> {
    return this.request('GET', `/tasks/${id}`);
  }

  showTask(id: number): Promise<TaskDetail> {
    return this.request('GET', `/tasks/${id}`, { query: { detail: true } });
  }

  /** Why a task goes (or would go) to whom: its mode, every worker's score, its offer and bids. */
  explainAssignment(id: number): Promise<AssignmentExplanation> {
    return this.request('GET', `/tasks/${id}/assignment`);
  }

  createTask(input: CreateTaskInput): Promise<Task> {
    return this.request('POST', '/tasks', { body: input });
  }

  updateTask(id: number, patch: { priority?: Priority }, ifVersion?: number): Promise<Task> {
    const headers: Record<string, string> = ifVersion !== undefined ? { 'if-match': String(ifVersion) } : {};
    return this.request('PATCH', `/tasks/${id}`, { body: patch, headers });
  }

  cancel(id: number): Promise<Task> {
    return this.request('DELETE', `/tasks/${id}`);
  }

  act(id: number, action: 'retry' | 'pause' | 'resume'): Promise<Task> {
    return this.request('POST', `/tasks/${id}/${action}`, { body: {} });
  }

  assign(id: number, workerId: string): Promise<Task> {
    return this.request('POST', `/tasks/${id}/assign`, { body: { workerId } });
  }

  unassign(id: number): Promise<Task> {
    return this.request('POST', `/tasks/${id}/unassign`, { body: {} });
  }

  review(id: number, input: { workerId: string; pass: boolean; feedback?: string }): Promise<Task> {
    return this.request('POST', `/tasks/${id}/review`, { body: input });
  }

  importPlan(input: { markdown: string; dryRun?: boolean; hold?: boolean }): Promise<PlanImport> {
    return this.request('POST', '/plans', { body: input });
  }

  breakdown(id: number, dryRun: boolean): Promise<BreakdownResult> {
    return this.request('POST', `/tasks/${id}/breakdown`, { body: { dryRun } });
  }

  /** Complexity of a task not yet created, judged by the server (its config and patterns file). */
  analyze(
    subject: Pick<CreateTaskInput, 'title' | 'description' | 'type' | 'capabilities' | 'tags' | 'estimateMinutes'>,
  ): Promise<TaskAnalysis> {
    return this.request('POST', '/analyze', { body: subject });
  }

  events(query: { taskId?: number; afterId?: number; limit?: number }): Promise<TaskEvent[]> {
    return this.request<{ events: TaskEvent[] }>('GET', '/events/history', { query: query as Query }).then((r) => r.events);
  }

  /** Which attempts have a log kept on the server; asked first, so that a missing log is no 404. */
  logAttempts(id: number): Promise<{ readable: boolean; attempts: number[] }> {
    return this.request('GET', `/tasks/${id}/logs/attempts`);
  }

  logTail(id: number): Promise<string> {
    return this.request<{ text?: string; logs?: { text: string }[] }>('GET', `/tasks/${id}/logs`, { query: { tail: 100 } }).then(
      (r) => r.text ?? (r.logs ?? []).map((l) => l.text).join(''),
    );
  }

  workflows(): Promise<WorkflowSummary[]> {
    return this.request<{ workflows: WorkflowSummary[] }>('GET', '/workflows').then((r) => r.workflows);
  }

  runs(query: { name?: string; status?: string } = {}): Promise<WorkflowRun[]> {
    return this.request<{ runs: WorkflowRun[] }>('GET', '/runs', { query }).then((r) => r.runs);
  }

  run(id: number): Promise<RunDetail> {
    return this.request('GET', `/runs/${id}`);
  }

  approveStep(id: number, step: string, body: { reject?: boolean; comment?: string }): Promise<RunDetail> {
    return this.request('POST', `/runs/${id}/steps/${encodeURIComponent(step)}/approve`, { body });
  }

  workflow(name: string, version?: number): Promise<WorkflowRecord> {
    return this.request('GET', `/workflows/${encodeURIComponent(name)}`, { query: { version } });
  }

  queues(): Promise<QueuesReport> {
    return this.request('GET', '/queues');
  }

  resources(): Promise<Resource[]> {
    return this.request<{ resources: Resource[] }>('GET', '/resources').then((r) => r.resources);
  }

  /** Per worker: running, reserved, done in the last hour, success rate, the ready work it could serve. */
  workerLoad(): Promise<WorkerLoad[]> {
    return this.request<{ workers: WorkerLoad[] }>('GET', '/workers/load').then((r) => r.workers);
  }

  teams(): Promise<TeamView[]> {
    return this.request<{ teams: TeamView[] }>('GET', '/teams').then((r) => r.teams);
  }

  /** The pools fleet supervisors run (`baton fleet`). */
  fleet(): Promise<PoolStatus[]> {
    return this.request<{ pools: PoolStatus[] }>('GET', '/fleet').then((r) => r.pools);
  }

  workers(): Promise<WorkerView[]> {
    return this.request<{ workers: WorkerView[] }>('GET', '/workers').then((r) => r.workers);
  }

  /** Alerts, newest first; `open`: those whose condition still holds. */
  alerts(query: { open?: boolean; limit?: number } = {}): Promise<Alert[]> {
    const params = new URLSearchParams();
    if (query.open) params.set('open', 'true');
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    return this.request<{ alerts: Alert[] }>('GET', `/alerts?${params}`).then((r) => r.alerts);
  }

  status(): Promise<SystemStatus> {
    return this.request('GET', '/status');
  }

  whoami(): Promise<Identity> {
    return this.request('GET', '/whoami');
  }
}
