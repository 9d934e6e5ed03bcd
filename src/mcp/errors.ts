import { BatonError, type ErrorCode, isBatonError } from '../core/errors.js';

/**
 * Turns a failed call into what an agent needs: the Baton error code (the same one the CLI and
 * the HTTP API give) and the next thing to do, so it recovers instead of retrying blindly.
 */

export interface ToolError {
  code: ErrorCode;
  message: string;
  next: string;
}

const NEXT: Partial<Record<ErrorCode, string>> = {
  invalid_argument: 'fix the argument named in the message and call again',
  usage: 'fix the arguments and call again',
  dependency_cycle: 'that dependency would close a cycle; leave it out or depend on another task',
  invalid_reviewer: 'a different agent must review this task; leave it and call next_task',
  task_not_found: 'check the id with list_tasks',
  worker_not_found: 'check the worker id with system_status',
  store_not_found: 'run `baton init` in the project folder, or start the server with --db',
  not_lease_holder: 'another worker holds this task now; stop working on it, do not report it, and call next_task for new work',
  stale_token:
    'your claim was replaced by a newer one (the lease ran out and the task was claimed again); stop working on it and call next_task',
  lease_expired: 'your lease expired and the task went back to the queue; stop working on it and call next_task again',
  task_paused:
    'the task was paused while you worked on it; stop now, do not report it, and call next_task (it is claimable again once resumed)',
  version_mismatch: 'the task changed meanwhile; read it again with get_task and retry',
  store_busy: 'the board is busy; wait a few seconds and call again',
  store_unavailable: 'the board cannot be reached; wait a few seconds and call again',
  task_blocked: 'it waits for the tasks named in the message; claim another with next_task',
  task_reserved: 'it is reserved for another worker; claim another with next_task',
  task_not_due: 'it waits for the time in the message; claim another with next_task',
  missing_capabilities: 'it needs capabilities you lack; claim another with next_task',
  commands_not_allowed:
    'this key may not set shell commands; create the task without `command`, or ask the user for a key with the commands capability',
  not_team_member: 'it belongs to a team you are not in; claim another with next_task',
  swarm_sibling_taken: 'you already took another attempt of this swarm; claim another with next_task',
  not_collaborator: 'the task does not name you as a collaborator; use add_note instead',
  not_team_leader: "only the team's leader reviews this task; leave it and call next_task",
  swarm_too_large: 'fewer workers can take it than the swarm asks for; give a smaller swarm',
  unknown_member: 'name registered workers only (see system_status)',
  team_not_found: 'check the team name with list_teams',
  internal: 'this is a bug in Baton; report it, and call next_task to carry on',
};

/** `illegal_transition` depends on what was attempted: a worker write means the task is not yours. */
const WORKER_WRITES = new Set(['report_progress', 'complete_task', 'fail_task', 'release_task']);

export function toToolError(err: unknown, toolName: string): ToolError {
  const error = isBatonError(err) ? err : new BatonError('internal', err instanceof Error ? err.message : String(err));
  const code = String(error.code) as ErrorCode;
  let next = NEXT[code] ?? nextByCategory(error);
  if (code === 'illegal_transition') {
    next = WORKER_WRITES.has(toolName)
      ? 'you do not hold this task (it is not executing under your lease); call get_task to see its state, then next_task'
      : 'the task is not in a state that allows this; call get_task to see its status';
  }
  return { code, message: error.message, next };
}

function nextByCategory(error: BatonError): string {
  switch (error.category) {
    case 'unauthenticated':
    case 'forbidden':
      return 'the server refused this key or worker id; ask the user to check --token and --worker';
    case 'rate_limited':
      return 'too many calls; wait a few seconds and call again';
    case 'unavailable':
      return 'the board cannot be reached; wait a few seconds and call again';
    case 'full':
      return 'the board is out of disk space and can save nothing; tell the user, and keep your work until it can';
    case 'not_found':
      return 'check the id with list_tasks';
    case 'conflict':
      return 'the task changed meanwhile; read it again with get_task';
    case 'invalid':
    case 'too_large':
    case 'unsupported':
      return 'fix the input and call again';
    default:
      return 'call system_status to check the board, then carry on with next_task';
  }
}
