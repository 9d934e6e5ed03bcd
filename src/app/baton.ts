import type { CreateTaskInput, UpdateTaskInput } from '../core/schemas.js';
import type { Priority, Task, TaskEvent, TaskStatus, WorkerView } from '../core/types.js';
import type { StoreDump } from '../store/store.js';

export type { CreateTaskInput, UpdateTaskInput };

/**
 * The application interface. Every front end (CLI, worker loop, MCP server, HTTP server) talks to
 * Baton only through this, and never knows whether it holds the in-process `LocalBaton` or the
 * HTTP `RemoteBaton`.
 */
export interface Baton {
  /** Creates a task; `blocked` while a dependency is open. */
  createTask(input: CreateTaskInput): Promise<Task>;
  getTask(id: number): Promise<Task>;
  /** A task with its audit trail and the open dependencies that block it. */
  showTask(id: number): Promise<TaskDetail>;
  listTasks(query?: ListQuery): Promise<TaskPage>;
  /** Changes fields; with `ifVersion`, refuses (conflict) if the task changed since it was read. */
  updateTask(id: number, input: UpdateTaskInput, options?: { ifVersion?: number }): Promise<Task>;
  cancelTask(id: number, options?: { reason?: string }): Promise<Task>;
  retryTask(id: number): Promise<Task>;
  pauseTask(id: number): Promise<Task>;
  resumeTask(id: number): Promise<Task>;
  addDependencies(id: number, dependsOn: number[]): Promise<Task>;
  removeDependency(id: number, dependsOn: number): Promise<Task>;
  /** Reserves a task for one worker: only that worker may claim it. */
  assignTask(id: number, workerId: string): Promise<Task>;

  /** Claims the best ready task this worker can do (SPEC §4), or null. */
  claim(request: ClaimInput): Promise<Task | null>;
  /** Claims up to `limit` tasks in one step. */
  claimMany(request: ClaimInput & { limit: number }): Promise<Task[]>;
  heartbeat(id: number, lease: LeaseRef): Promise<Task>;
  reportProgress(id: number, input: ProgressInput): Promise<Task>;
  complete(id: number, input: CompleteTaskInput): Promise<Task>;
  fail(id: number, input: FailInput): Promise<Task>;
  release(id: number, lease: LeaseRef): Promise<Task>;
  review(id: number, input: ReviewTaskInput): Promise<Task>;
  /** Requeues (or fails) tasks whose lease has run out; returns their ids. */
  expireLeases(): Promise<number[]>;

  registerWorker(input: RegisterWorkerInput): Promise<WorkerView>;
  listWorkers(options?: { available?: boolean }): Promise<WorkerView[]>;
  status(): Promise<SystemStatus>;
  events(query?: { taskId?: number; afterId?: number; limit?: number }): Promise<TaskEvent[]>;

  exportData(): Promise<StoreDump>;
  /** Loads an export into an empty store, keeping ids, dependencies, history and workers. */
  importData(data: unknown): Promise<ImportSummary>;
  close(): Promise<void>;
}

export interface ListQuery {
  status?: TaskStatus[];
  worker?: string;
  tag?: string;
  parentId?: number;
  ready?: boolean;
  limit?: number;
  offset?: number;
}

export interface TaskPage {
  tasks: Task[];
  total: number;
}

export interface TaskDetail {
  task: Task;
  history: TaskEvent[];
  /** Dependencies that are not completed, with their status. */
  blockedBy: { id: number; title: string; status: TaskStatus }[];
}

export interface LeaseRef {
  workerId: string;
  /** Fencing token of the claim; when omitted, the worker must still hold the lease. */
  token?: number | undefined;
}

export interface ClaimInput {
  workerId: string;
  /** The worker's capabilities; defaults to those it registered with. */
  capabilities?: string[] | undefined;
  leaseSeconds?: number | undefined;
  /** Wait up to this many seconds for a task to become ready. */
  waitSeconds?: number | undefined;
}

export interface ProgressInput extends LeaseRef {
  progress: number;
  note?: string | undefined;
  step?: string | undefined;
}

export interface CompleteTaskInput extends LeaseRef {
  result?: unknown;
  artifacts?: string[] | undefined;
}

export interface FailInput extends LeaseRef {
  error: string;
}

export interface ReviewTaskInput {
  workerId: string;
  pass: boolean;
  feedback?: string | undefined;
  score?: number | undefined;
}

export interface RegisterWorkerInput {
  id: string;
  name?: string | undefined;
  capabilities?: string[] | undefined;
  host?: string | undefined;
  pid?: number | undefined;
  concurrency?: number | undefined;
  version?: string | undefined;
}

export interface SystemStatus {
  store: { kind: string; location: string };
  tasks: { total: number; byStatus: Record<TaskStatus, number> };
  /** Tasks claimable now. */
  queueDepth: number;
  readyByPriority: Record<Priority, number>;
  workers: { total: number; online: number; busy: number; idle: number; offline: number };
  throughput: { completedLastHour: number };
  at: string;
}

export interface ImportSummary {
  tasks: number;
  events: number;
  workers: number;
}
