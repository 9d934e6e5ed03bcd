import type { Command } from 'commander';
import type { GlobalOptions } from './context.js';

type Register = (program: Command, globals: () => GlobalOptions) => void;

/**
 * Every command module, in the order `baton --help` lists them, with the top-level commands it
 * registers. A command line naming one of them loads that module alone: `baton list` does not load
 * the server, MCP, workflows or GitHub. A test checks the names against what each module registers.
 */
export const COMMAND_MODULES: readonly { commands: readonly string[]; load: () => Promise<Register> }[] = [
  {
    commands: ['init', 'start', 'status', 'migrate', 'health', 'metrics', 'workers', 'analytics', 'burndown', 'export', 'import'],
    load: async () => (await import('./commands/system.js')).registerSystemCommands,
  },
  {
    commands: ['add', 'list', 'show', 'update', 'cancel', 'retry', 'pause', 'resume', 'depend', 'undepend', 'assign', 'unassign'],
    load: async () => (await import('./commands/tasks.js')).registerTaskCommands,
  },
  {
    commands: ['next', 'claim', 'progress', 'done', 'fail', 'release', 'review'],
    load: async () => (await import('./commands/work.js')).registerWorkCommands,
  },
  {
    commands: ['bid', 'explain-assignment'],
    load: async () => (await import('./commands/assignment.js')).registerAssignmentCommands,
  },
  { commands: ['analyze', 'breakdown'], load: async () => (await import('./commands/breakdown.js')).registerBreakdownCommands },
  { commands: ['plan'], load: async () => (await import('./commands/plans.js')).registerPlanCommands },
  { commands: ['worker', 'logs'], load: async () => (await import('./commands/worker.js')).registerWorkerCommands },
  { commands: ['fleet'], load: async () => (await import('./commands/fleet.js')).registerFleetCommands },
  { commands: ['team', 'contribute'], load: async () => (await import('./commands/teams.js')).registerTeamCommands },
  { commands: ['resource'], load: async () => (await import('./commands/resources.js')).registerResourceCommands },
  { commands: ['system', 'queues'], load: async () => (await import('./commands/queues.js')).registerQueueCommands },
  { commands: ['mcp'], load: async () => (await import('./commands/mcp.js')).registerMcpCommand },
  { commands: ['serve'], load: async () => (await import('./commands/serve.js')).registerServeCommands },
  { commands: ['keys'], load: async () => (await import('./commands/keys.js')).registerKeyCommands },
  { commands: ['workflow'], load: async () => (await import('./commands/workflows.js')).registerWorkflowCommands },
  // `completion` describes every command: it needs them all registered (see `modulesFor`).
  { commands: ['note', 'edit', 'completion'], load: async () => (await import('./commands/steer.js')).registerSteerCommands },
  {
    commands: ['backup', 'backups', 'restore', 'gc'],
    load: async () => (await import('./commands/maintenance.js')).registerMaintenanceCommands,
  },
  { commands: ['webhook', 'alerts'], load: async () => (await import('./commands/webhooks.js')).registerWebhookCommands },
  { commands: ['github'], load: async () => (await import('./commands/github.js')).registerGithubCommands },
];

/** Global options followed by a value: the word after them is not a command name. */
const VALUED_GLOBALS = new Set(['--db', '--server', '--api-key', '--token']);

/**
 * The modules a command line needs: the one registering the command it names, or all of them
 * (help, completion, an unknown or misspelt command — whose error lists the others).
 */
export function modulesFor(argv: readonly string[]): typeof COMMAND_MODULES {
  const at = argv.findIndex((a, i) => !a.startsWith('-') && !VALUED_GLOBALS.has(argv[i - 1] ?? ''));
  const name = argv[at];
  if (name === undefined || name === 'completion') return COMMAND_MODULES;
  const own = COMMAND_MODULES.find((m) => m.commands.includes(name));
  return own ? [own] : COMMAND_MODULES;
}
