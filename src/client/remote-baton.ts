import type {
  Baton,
  BreakdownOptions,
  BreakdownResult,
  ClaimInput,
  CompleteTaskInput,
  CreateTaskInput,
  FailInput,
  ImportSummary,
  LeaseRef,
  ListQuery,
  NoteInput,
  ProgressInput,
  RegisterWorkerInput,
  ReviewTaskInput,
  SystemStatus,
  TaskAnalysis,
  TaskDetail,
  TaskPage,
  UpdateTaskInput,
} from '../app/baton.js';
import type { BreakdownSubject } from '../core/breakdown/types.js';
import { BatonError, ERROR_CODES, type ErrorCode } from '../core/errors.js';
import { DEFAULT_POLICY, type Policy } from '../core/policy.js';
import type { Task, TaskEvent, WorkerView } from '../core/types.js';
import type { StoreDump } from '../store/store.js';

/** The server answers a long-poll claim after at most this long; longer waits are several polls. */
const MAX_POLL_SECONDS = 60;

/**
 * When a call that did not get through is tried again:
 * - `always`: it is safe to repeat (reads, heartbeats, progress) — on any network failure or 503;
 * - `unsent`: only when the connection was refused, so the server cannot have acted on it.
 */
type Retry = 'always' | 'unsent';

export interface RemoteBatonOptions {
  /** The server, such as `http://127.0.0.1:7420`. */
  url: string;
  token?: string | undefined;
  /** How long a call keeps retrying a server that cannot be reached, in ms (default 30 s). */
  retryMs?: number | undefined;
}

interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  retry?: Retry;
  signal?: AbortSignal | undefined;
}

/** `Baton` over the HTTP API: the CLI and the worker loop run unchanged against a remote server. */
export class RemoteBaton implements Baton {
  /** The server's policy is its own; the defaults fill in what a command needs locally. */
  readonly policy: Policy = DEFAULT_POLICY;
  readonly store: { readonly kind: 'remote'; readonly location: string };
  private readonly base: string;
  private readonly token: string | undefined;
  private readonly retryMs: number;

  constructor(options: RemoteBatonOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new BatonError('invalid_argument', `server: "${options.url}" is not a URL (such as http://127.0.0.1:7420)`, {
        field: 'server',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new BatonError('invalid_argument', 'server: must be an http:// or https:// URL', { field: 'server' });
    }
    this.base = url.href.replace(/\/+$/, '');
    this.store = { kind: 'remote', location: this.base };
    this.token = options.token;
    this.retryMs = options.retryMs ?? 30_000;
  }

  createTask(input: CreateTaskInput): Promise<Task> {
    return this.call('POST', '/tasks', { body: input });
  }

  getTask(id: number): Promise<Task> {
    return this.call('GET', `/tasks/${id}`);
  }

  showTask(id: number): Promise<TaskDetail> {
    return this.call('GET', `/tasks/${id}`, { query: { detail: true } });
  }

  listTasks(q: ListQuery = {}): Promise<TaskPage> {
    return this.call('GET', '/tasks', {
      query: {
        status: q.status?.join(','),
        worker: q.worker,
        tag: q.tag,
        parent: q.parentId,
        ready: q.ready || undefined,
        limit: q.limit,
        offset: q.offset,
      },
    });
  }

  updateTask(id: number, input: UpdateTaskInput, options: { ifVersion?: number } = {}): Promise<Task> {
    const headers: Record<string, string> = options.ifVersion !== undefined ? { 'if-match': `"${options.ifVersion}"` } : {};
    return this.call('PATCH', `/tasks/${id}`, { body: input, headers });
  }

  cancelTask(id: number, options: { reason?: string } = {}): Promise<Task> {
    return this.call('POST', `/tasks/${id}/cancel`, { body: options.reason ? { reason: options.reason } : {} });
  }

  retryTask(id: number): Promise<Task> {
    return this.call('POST', `/tasks/${id}/retry`, { body: {} });
  }

  pauseTask(id: number): Promise<Task> {
    return this.call('POST', `/tasks/${id}/pause`, { body: {} });
  }

  resumeTask(id: number): Promise<Task> {
    return this.call('POST', `/tasks/${id}/resume`, { body: {} });
  }

  addDependencies(id: number, dependsOn: number[]): Promise<Task> {
    return this.call('POST', `/tasks/${id}/dependencies`, { body: { dependsOn } });
  }

  removeDependency(id: number, dependsOn: number): Promise<Task> {
    return this.call('DELETE', `/tasks/${id}/dependencies/${dependsOn}`);
  }

  assignTask(id: number, workerId: string): Promise<Task> {
    return this.call('POST', `/tasks/${id}/assign`, { body: { workerId } });
  }

  analyze(target: number | BreakdownSubject): Promise<TaskAnalysis> {
    if (typeof target === 'number') return this.call('GET', `/tasks/${target}/analysis`);
    // The wire format has no nulls: an absent field and a null one mean the same here.
    const body = Object.fromEntries(Object.entries(target).filter(([, v]) => v !== null && v !== undefined));
    return this.call('POST', '/analyze', { body });
  }

  breakdown(id: number, options: BreakdownOptions = {}): Promise<BreakdownResult> {
    return this.call('POST', `/tasks/${id}/breakdown`, {
      body: { ...(options.planner && { planner: options.planner }), ...(options.dryRun && { dryRun: true }) },
    });
  }

  async claim(request: ClaimInput): Promise<Task | null> {
    const [task] = await this.claimMany({ ...request, limit: 1 });
    return task ?? null;
  }

  /** Long-polls the server (≤ 60 s a request) until a task comes, the wait ends or `signal` aborts. */
  async claimMany(request: ClaimInput & { limit: number }): Promise<Task[]> {
    const deadline = Date.now() + (request.waitSeconds ?? 0) * 1000;
    for (;;) {
      const wait = Math.min(MAX_POLL_SECONDS, Math.max(0, (deadline - Date.now()) / 1000));
      const body = {
        workerId: request.workerId,
        ...(request.capabilities !== undefined && { capabilities: request.capabilities }),
        ...(request.leaseSeconds !== undefined && { leaseSeconds: request.leaseSeconds }),
        ...(wait > 0 && { wait: Math.round(wait * 1000) / 1000 }),
        ...(request.limit !== 1 && { limit: request.limit }),
      };
      let answer: { tasks: Task[] };
      try {
        answer = await this.call('POST', '/claims', { body, signal: request.signal });
      } catch (err) {
        if (request.signal?.aborted) return [];
        throw err;
      }
      if (answer.tasks.length > 0 || Date.now() >= deadline || request.signal?.aborted) return answer.tasks;
    }
  }

  heartbeat(id: number, lease: LeaseRef): Promise<Task> {
    return this.call('POST', `/tasks/${id}/heartbeat`, { body: leaseOf(lease), retry: 'always' });
  }

  reportProgress(id: number, input: ProgressInput): Promise<Task> {
    return this.call('POST', `/tasks/${id}/progress`, { body: input, retry: 'always' });
  }

  addNote(id: number, input: NoteInput): Promise<Task> {
    return this.call('POST', `/tasks/${id}/notes`, { body: input });
  }

  complete(id: number, input: CompleteTaskInput): Promise<Task> {
    return this.call('POST', `/tasks/${id}/complete`, { body: input });
  }

  fail(id: number, input: FailInput): Promise<Task> {
    return this.call('POST', `/tasks/${id}/fail`, { body: input });
  }

  release(id: number, lease: LeaseRef): Promise<Task> {
    return this.call('POST', `/tasks/${id}/release`, { body: leaseOf(lease) });
  }

  review(id: number, input: ReviewTaskInput): Promise<Task> {
    return this.call('POST', `/tasks/${id}/review`, { body: input });
  }

  async expireLeases(): Promise<number[]> {
    return (await this.call<{ expired: number[] }>('POST', '/leases/expire', { body: {} })).expired;
  }

  registerWorker(input: RegisterWorkerInput): Promise<WorkerView> {
    return this.call('POST', '/workers', { body: input, retry: 'always' });
  }

  unregisterWorker(id: string): Promise<WorkerView> {
    return this.call('DELETE', `/workers/${encodeURIComponent(id)}`, { retry: 'always' });
  }

  async listWorkers(options: { available?: boolean } = {}): Promise<WorkerView[]> {
    const answer = await this.call<{ workers: WorkerView[] }>('GET', '/workers', {
      query: { available: options.available || undefined },
    });
    return answer.workers;
  }

  status(): Promise<SystemStatus> {
    return this.call('GET', '/status');
  }

  /** Pages through the server's history (at most 10,000 events an answer) up to `limit`. */
  async events(query: { taskId?: number; afterId?: number; limit?: number } = {}): Promise<TaskEvent[]> {
    const all: TaskEvent[] = [];
    let afterId = query.afterId ?? 0;
    for (;;) {
      const want = Math.min(10_000, (query.limit ?? Number.POSITIVE_INFINITY) - all.length);
      const page = (
        await this.call<{ events: TaskEvent[] }>('GET', '/events/history', {
          query: { taskId: query.taskId, afterId, limit: want },
        })
      ).events;
      all.push(...page);
      if (page.length < want || all.length >= (query.limit ?? Number.POSITIVE_INFINITY)) return all;
      afterId = (page.at(-1) as TaskEvent).id;
    }
  }

  exportData(): Promise<StoreDump> {
    return this.call('GET', '/export');
  }

  importData(data: unknown): Promise<ImportSummary> {
    return this.call('POST', '/import', { body: data });
  }

  async close(): Promise<void> {}

  private async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const retry = options.retry ?? (method === 'GET' ? 'always' : 'unsent');
    const giveUpAt = Date.now() + this.retryMs;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.urlOf(path, options.query), this.init(method, options));
      } catch (err) {
        if (options.signal?.aborted) throw err;
        const repeat = retry === 'always' || refused(err);
        if (!repeat || Date.now() >= giveUpAt) throw this.unreachable(err);
        await backoff(attempt, giveUpAt);
        continue;
      }
      if (res.status === 503 && retry === 'always' && Date.now() < giveUpAt) {
        await res.body?.cancel();
        await backoff(attempt, giveUpAt);
        continue;
      }
      return this.answer<T>(res);
    }
  }

  private urlOf(path: string, query: CallOptions['query'] = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.base}/api/v1${path}${qs ? `?${qs}` : ''}`;
  }

  private init(method: string, options: CallOptions): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;
    return init;
  }

  private async answer<T>(res: Response): Promise<T> {
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      throw new BatonError('server_unavailable', `${this.base} answered ${res.status} with something that is not JSON`);
    }
    if (res.ok) return body as T;
    const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    const code = error?.code && error.code in ERROR_CODES ? (error.code as ErrorCode) : statusCode(res.status);
    throw new BatonError(code, error?.message ?? `${res.status} ${res.statusText}`, error?.details);
  }

  private unreachable(err: unknown): BatonError {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (err as Error).message;
    return new BatonError('server_unavailable', `cannot reach the Baton server at ${this.base} (${reason})`, {
      server: this.base,
    });
  }
}

function leaseOf(lease: LeaseRef): LeaseRef {
  return { workerId: lease.workerId, ...(lease.token !== undefined && { token: lease.token }) };
}

/** The connection was never made: the server did not see the request. */
function refused(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function statusCode(status: number): ErrorCode {
  if (status === 400) return 'invalid_argument';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'route_not_found';
  if (status === 409) return 'illegal_transition';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'server_unavailable';
  return 'internal';
}

/** Doubling from 100 ms to 2 s, with jitter, never past the deadline. */
function backoff(attempt: number, giveUpAt: number): Promise<void> {
  const base = Math.min(2_000, 100 * 2 ** attempt);
  const ms = Math.min(base / 2 + Math.random() * (base / 2), Math.max(0, giveUpAt - Date.now()));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
