/**
 * One list of error codes. Each code belongs to a category, and the category alone decides the
 * CLI exit code, the HTTP status and the MCP error. Never reuse a retired code.
 */

import { redactText } from './redact.js';

export const ERROR_CATEGORIES = {
  invalid: { exitCode: 2, httpStatus: 400 },
  unauthenticated: { exitCode: 2, httpStatus: 401 },
  forbidden: { exitCode: 2, httpStatus: 403 },
  not_found: { exitCode: 3, httpStatus: 404 },
  conflict: { exitCode: 4, httpStatus: 409 },
  too_large: { exitCode: 2, httpStatus: 413 },
  unsupported: { exitCode: 2, httpStatus: 415 },
  rate_limited: { exitCode: 1, httpStatus: 429 },
  unavailable: { exitCode: 1, httpStatus: 503 },
  /** Out of space: nothing is written until space is freed (WebDAV's 507 Insufficient Storage). */
  full: { exitCode: 1, httpStatus: 507 },
  internal: { exitCode: 1, httpStatus: 500 },
} as const;
export type ErrorCategory = keyof typeof ERROR_CATEGORIES;

export const ERROR_CODES = {
  invalid_argument: 'invalid',
  usage: 'invalid',
  dependency_cycle: 'invalid',
  invalid_import: 'invalid',
  invalid_config: 'invalid',
  not_a_store: 'invalid',
  invalid_reviewer: 'invalid',
  /** A workflow definition with problems (each with its line and column in `details.problems`). */
  invalid_workflow: 'invalid',
  /** A plan to import with problems (each with its line in `details.problems`). */
  invalid_plan: 'invalid',
  /** A run's params do not suit the definition (each problem in `details.problems`). */
  invalid_params: 'invalid',
  /** Retired: every step kind runs now. Kept so the code is never given another meaning. */
  step_not_supported: 'invalid',
  /** A change to many tasks needs a yes: `--yes`, or an answer at a terminal. */
  confirmation_required: 'invalid',
  /** A file given to restore that is not a Baton backup, or one cut short or damaged. */
  invalid_backup: 'invalid',
  task_not_found: 'not_found',
  log_not_found: 'not_found',
  worker_not_found: 'not_found',
  store_not_found: 'not_found',
  illegal_transition: 'conflict',
  not_lease_holder: 'conflict',
  stale_token: 'conflict',
  lease_expired: 'conflict',
  /** The task was paused while a worker ran it: the attempt ended, and it runs again once resumed. */
  task_paused: 'conflict',
  version_mismatch: 'conflict',
  store_not_empty: 'conflict',
  /** A backup never overwrites a file. */
  file_exists: 'conflict',
  /** Claiming one task by id: it waits for open dependencies. */
  task_blocked: 'conflict',
  /** Claiming one task by id: it is reserved for another worker. */
  task_reserved: 'conflict',
  /** Claiming one task by id: its `runAfter` (a retry backoff, a schedule) has not passed. */
  task_not_due: 'conflict',
  /** A task named a resource with a capacity other than the one it has (`setResource` changes it). */
  resource_conflict: 'conflict',
  /** Claiming one task by id: a resource it holds has no free slot. */
  resource_full: 'conflict',
  /**
   * A queue at its `maxSize` refuses new tasks. 409, not 429: the caller did nothing too often —
   * the queue's state refuses the task, and the same request succeeds once the queue drains.
   */
  queue_full: 'conflict',
  /** Claiming one task by id: claims of its queue (or of the whole system) are paused. */
  queue_paused: 'conflict',
  /** Claiming one task by id: `limits.maxExecuting`, or its queue's `maxExecuting`, is reached. */
  executing_limit: 'conflict',
  /** `system pause --drain`: tasks were still executing when its timeout passed. */
  drain_timeout: 'unavailable',
  /** Claiming one task by id: the worker lacks capabilities the task requires. */
  missing_capabilities: 'forbidden',
  /** The worker lacks a capability the task needs (`force` reserves it anyway). */
  incapable_worker: 'conflict',
  /** Another live process already runs as this worker id (`replace` takes over). */
  worker_id_in_use: 'conflict',
  /** This process's worker id was taken over by another process: it stops. */
  worker_replaced: 'conflict',
  /** A bid on a task that is not being auctioned now. */
  not_in_auction: 'conflict',
  /** A bid after the auction's window closed. */
  auction_closed: 'conflict',
  /** A bid (or a push) for a worker that is not online: stopped, or silent past the heartbeat timeout. */
  worker_offline: 'conflict',
  /** The worker's circuit breaker is open (too many failed attempts): it claims again after the cool-down. */
  breaker_open: 'conflict',
  store_busy: 'unavailable',
  store_unavailable: 'unavailable',
  store_full: 'full',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  /** A browser page of another origin tried to write (or read, cross-site) through the API. */
  forbidden_origin: 'forbidden',
  /** The Host header is not a name of this server: a DNS-rebinding page, or a name not yet allowed. */
  forbidden_host: 'forbidden',
  /** Setting a task's shell command without the permission to run code on workers. */
  commands_not_allowed: 'forbidden',
  unsupported_media_type: 'unsupported',
  payload_too_large: 'too_large',
  rate_limited: 'rate_limited',
  route_not_found: 'not_found',
  key_not_found: 'not_found',
  key_exists: 'conflict',
  workflow_not_found: 'not_found',
  run_not_found: 'not_found',
  webhook_not_found: 'not_found',
  /** An inbound hook (`POST /hooks/:name`) that the config does not declare. */
  hook_not_found: 'not_found',
  /** An inbound hook's body whose signature is missing or not made with the hook's secret. */
  invalid_signature: 'unauthenticated',
  /** An inbound hook's delivery id already received: a replay, refused on every replica. */
  delivery_replayed: 'conflict',
  /** GitHub refused or could not be reached (its status and message in the details). */
  github_failed: 'unavailable',
  /** GitHub's rate limit is spent until the time in the details. */
  github_rate_limited: 'rate_limited',
  step_not_found: 'not_found',
  /** Deciding an approval step that is not waiting for one. */
  step_not_waiting: 'conflict',
  /** Cancelling a run that already ended. */
  run_finished: 'conflict',
  /** A team named by a task or a command does not exist. */
  team_not_found: 'not_found',
  /** A team given a member that is not a registered worker (`details.unknown`). */
  unknown_member: 'invalid',
  /** Claiming one task by id: it belongs to a team the worker is not a member of. */
  not_team_member: 'forbidden',
  /** A collaborator write from a worker the task does not name as collaborator. */
  not_collaborator: 'forbidden',
  /** Reviewing a follower's result on a led team's task: only the team's leader may. */
  not_team_leader: 'forbidden',
  /** A swarm larger than the registered workers able to take its attempts (`details.capable`). */
  swarm_too_large: 'conflict',
  /** Claiming one attempt of a swarm by id: the worker already took another attempt of it. */
  swarm_sibling_taken: 'conflict',
  server_unavailable: 'unavailable',
  /** A backup could not be written, or did not read back as written (nothing is left under its name). */
  backup_failed: 'internal',
  /** A GraphQL document that does not parse or does not suit the schema (an unknown field or subscription). */
  invalid_query: 'invalid',
  /** A GraphQL query deeper or costlier than the server's limits. */
  query_too_complex: 'invalid',
  internal: 'internal',
} as const satisfies Record<string, ErrorCategory>;
export type ErrorCode = keyof typeof ERROR_CODES;

export class BatonError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    // Every door (CLI, HTTP, MCP) shows a coded error to its caller, who may not be the operator
    // who typed the store URL: no password or API key leaves in one.
    super(redactText(message));
    this.name = 'BatonError';
    this.code = code;
    this.details = details && redactDetails(details);
  }

  get category(): ErrorCategory {
    return ERROR_CODES[this.code];
  }

  get exitCode(): number {
    return ERROR_CATEGORIES[this.category].exitCode;
  }

  get httpStatus(): number {
    return ERROR_CATEGORIES[this.category].httpStatus;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(details)) out[name] = typeof value === 'string' ? redactText(value) : value;
  return out;
}

export function isBatonError(value: unknown): value is BatonError {
  return value instanceof BatonError;
}

export function invalid(field: string, message: string): BatonError {
  return new BatonError('invalid_argument', `${field}: ${message}`, { field });
}

export function taskNotFound(id: number): BatonError {
  return new BatonError('task_not_found', `task ${id} not found`, { id });
}

export function workerNotFound(id: string): BatonError {
  return new BatonError('worker_not_found', `worker ${id} not found`, { id });
}

/** A reservation for a worker that lacks some of the task's capabilities (`missing`). */
export function incapableWorker(id: string, missing: readonly string[]): BatonError {
  return new BatonError(
    'incapable_worker',
    `worker ${id} lacks ${missing.join(', ')}, which the task needs (force reserves it anyway)`,
    { id, missing: [...missing] },
  );
}
