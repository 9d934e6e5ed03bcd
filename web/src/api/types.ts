// Wire shapes of the HTTP API. Task, worker and event come straight from the core so the
// dashboard and the server cannot drift apart; the rest mirror the `Baton` interface results.

import type { AssignmentExplanation, Bid } from '../../../src/core/assignment.js';
import type { PauseView, QueueInfo } from '../../../src/core/queues.js';
import type { Priority, Task, TaskEvent, TaskStatus } from '../../../src/core/types.js';
import type { StuckReport, Waiting } from '../../../src/core/waiting.js';

export type { PlanImport, PlanTaskView } from '../../../src/app/planning-types.js';
export type { Resource } from '../../../src/core/resources.js';
export type { PoolStatus } from '../../../src/core/schemas/fleet.js';
export type { WorkerLoad } from '../../../src/core/teams.js';
export type { Complexity, Priority, Task, TaskEvent, TaskStatus, Team, WorkerView } from '../../../src/core/types.js';
export { COMPLEXITIES, PRIORITIES, TASK_STATUSES } from '../../../src/core/types.js';
export type { Alert } from '../../../src/core/webhooks.js';
export type { AssignmentExplanation, Bid, PauseView, QueueInfo };

export interface TaskPage {
  tasks: Task[];
  total: number;
  next: string | null;
}

export interface SubtaskSummary {
  id: number;
  title: string;
  status: TaskStatus;
  progress: number;
  estimateMinutes: number | null;
}

export interface TaskDetail {
  task: Task;
  history: TaskEvent[];
  blockedBy: { id: number; title: string; status: TaskStatus }[];
  subtasks?: SubtaskSummary[];
  /** Why it is not being taken, or null (absent from servers that do not say). */
  waiting?: Waiting | null;
  /** The bids of its auctions, oldest first (absent when there were none). */
  bids?: Bid[];
}

export interface SystemStatus {
  tasks: { total: number; byStatus: Record<TaskStatus, number>; inProgressViaSubtasks: number };
  queueDepth: number;
  readyByPriority: Record<Priority, number>;
  workers: { total: number; online: number; busy: number; idle: number; offline: number; breakersOpen: number };
  throughput: { completedLastHour: number };
  /** Work nobody is taking, and why (absent from servers that do not say). */
  stuck?: StuckReport;
  at: string;
  /** Optional extras a server may add (SLA targets, metrics); read defensively. */
  [extra: string]: unknown;
}

export interface PlannedSubtask {
  title: string;
  description: string | null;
  capabilities: string[];
  estimateMinutes: number | null;
  complexity: string;
  dependsOn: number[];
  step: string | null;
  subtasks: PlannedSubtask[];
}

export interface Plan {
  planner: string;
  source: string;
  pattern: string | null;
  subtasks: PlannedSubtask[];
}

export interface BreakdownResult {
  task: Task;
  subtasks: Task[];
  dryRun: boolean;
  plan: Plan;
  planner: string;
  fallbackReason: string | null;
  warnings: string[];
}

export interface TaskAnalysis {
  complexity: string;
  basis: 'estimate' | 'text';
  estimateMinutes: number | null;
  score: number;
  reasons: string[];
  recommendation: { action: string; message: string };
  detected?: { pattern: string; label: string };
  breaksDownOnCreate?: boolean;
}

export interface CreateTaskInput {
  title: string;
  description?: string;
  type?: string;
  priority?: Priority;
  capabilities?: string[];
  /** Resources held while executing: `name` or `name:N`. */
  resources?: string[];
  queue?: string;
  tags?: string[];
  dependsOn?: number[];
  estimateMinutes?: number;
  command?: string;
  review?: boolean;
  noBreakdown?: boolean;
  /** Created paused: no worker claims it until it is resumed. */
  hold?: boolean;
  /** Not claimable before then: an ISO-8601 time or a delay such as `10m`. */
  runAfter?: string;
  /** A cron expression: the task becomes a recurring template. */
  every?: string;
  timezone?: string;
}

export type Role = 'admin' | 'worker' | 'viewer';

export interface Identity {
  role: Role;
  workerId: string | null;
  /** Whether this caller may set task commands (absent from servers that did not say). */
  commands?: boolean;
}

export type { StepDefinition, WorkflowDefinition } from '../../../src/core/workflow/schema.js';
export type { WorkflowProblem } from '../../../src/core/workflow/source.js';

import type { WorkflowRun } from '../../../src/core/workflow/run.js';

export type { StepState, WorkflowRun } from '../../../src/core/workflow/run.js';

/** A workflow run with the tasks it made, as `GET /runs/:id` answers. */
export interface RunDetail extends WorkflowRun {
  tasks: { id: number; step: string; index: number; title: string; status: string; attempts: number; run?: number }[];
}

/** A registered workflow, as `GET /workflows` lists it (the latest version of each). */
export interface WorkflowSummary {
  name: string;
  version: number;
  description: string | null;
  steps: number;
  triggers: number;
  nextRunAt: string | null;
  lastTriggeredRun: number | null;
  lastTriggeredAt: string | null;
  createdAt: string;
  createdBy: string | null;
}

/** One version of a workflow definition, as `GET /workflows/:name` answers. */
export interface WorkflowRecord {
  name: string;
  version: number;
  description: string | null;
  definition: import('../../../src/core/workflow/schema.js').WorkflowDefinition;
  source: string;
  createdBy: string | null;
  createdAt: string;
}

// The listing, counts and bulk calls of the board.

/** Which tasks: the filters `GET /tasks` and `GET /tasks/counts` share. */
export interface TaskFilterParams {
  status?: readonly TaskStatus[];
  worker?: string;
  tag?: string;
  parentId?: number;
  /** Words of the title or description, each a word prefix. */
  q?: string;
  priority?: readonly Priority[];
  capability?: readonly string[];
  open?: boolean;
  /** Only tasks broken into subtasks (true), or only tasks without any (false). */
  parents?: boolean;
}

export interface ListParams extends TaskFilterParams {
  ready?: boolean;
  sort?: 'claim' | 'priority' | 'created' | 'updated';
  limit?: number;
  offset?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface TaskCounts {
  total: number;
  byStatus: Record<TaskStatus, number>;
}

export type BulkAction = 'cancel' | 'retry' | 'pause' | 'resume' | 'update';

export interface BulkResult {
  action: BulkAction;
  dryRun: boolean;
  count: number;
  ids: number[];
  tasks: Task[];
}

/** `GET /queues`: the pauses, the store-wide cap and every named queue (the server's own type). */
export type { QueuesReport } from '../../../src/app/queue-types.js';

/** A team with the load of each member (`GET /teams`). */
export interface TeamView {
  name: string;
  members: string[];
  leader: string | null;
  createdAt: string;
  load: import('../../../src/core/teams.js').WorkerLoad[];
}
