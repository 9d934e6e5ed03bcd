import type { Command } from 'commander';
import type { CreateTaskInput } from '../../app/baton.js';
import { invalid } from '../../core/errors.js';
import { SWARM_MERGES, type SwarmMerge } from '../../core/types.js';
import { parseIdList, parseList, parsePositiveInt, parseTaskId } from '../../core/values.js';
import { type GlobalOptions, withBaton } from '../context.js';
import { formatTaskLine } from '../format.js';
import { formatLoad, formatTeams } from '../format-teams.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** The options of `baton add` for teams, collaborators, swarms and pipelines. */
export function teamworkOptions(cmd: Command): Command {
  return cmd
    .option('--after <ids>', 'tasks that must complete first, comma-separated (as --depends-on)')
    .option('--team <name>', "only this team's members may claim it")
    .option('--collaborators <workers>', 'workers who may add notes, progress and artifacts while another holds it')
    .option('--swarm <n>', 'run it as N parallel attempts, each by a different worker')
    .option('--merge <strategy>', `with --swarm: ${SWARM_MERGES.join(' | ')} (default all)`)
    .option('--merge-command <cmd>', "with --merge command: the merge step, run with the attempts' results as input")
    .option('--input-from <id>', "pipeline: its input is that task's result once it completes (implies --after)");
}

/** The `createTask` fields those options give. */
export function teamworkInput(opts: Opts): Partial<CreateTaskInput> {
  const merge = opts.merge === undefined ? undefined : String(opts.merge);
  if (merge !== undefined && !(SWARM_MERGES as readonly string[]).includes(merge)) {
    throw invalid('merge', `must be one of ${SWARM_MERGES.join(', ')}`);
  }
  return {
    ...(opts.after !== undefined && { dependsOn: parseIdList(String(opts.after)) }),
    ...(opts.team !== undefined && { team: String(opts.team) }),
    ...(opts.collaborators !== undefined && { collaborators: parseList(String(opts.collaborators), 'collaborators') }),
    ...(opts.swarm !== undefined && { swarm: parsePositiveInt(String(opts.swarm), 'swarm') }),
    ...(merge !== undefined && { merge: merge as SwarmMerge }),
    ...(opts.mergeCommand !== undefined && { mergeCommand: String(opts.mergeCommand) }),
    ...(opts.inputFrom !== undefined && { inputFrom: parseTaskId(String(opts.inputFrom), 'inputFrom') }),
  };
}

/** `baton team add|list` and `baton contribute`. */
export function registerTeamCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });
  const team = program.command('team').description('teams: tasks for a team are claimable by its members only');
  team
    .command('add')
    .description('create a team, or replace its members and leader (members must be registered workers)')
    .argument('<name>', 'team name')
    .requiredOption('--members <workers>', 'worker ids, comma-separated')
    .option('--leader <worker>', 'one of the members: breaks its tasks down for the others and reviews their results')
    .action(async (name: string, opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const members = parseList(String(opts.members), 'members');
        const created = await baton.addTeam({ name, members, ...(opts.leader !== undefined && { leader: String(opts.leader) }) });
        out.result(
          created,
          () => `team ${created.name}: ${created.members.join(', ')}${created.leader ? ` (leader ${created.leader})` : ''}`,
        );
      }),
    );
  team
    .command('list')
    .description('every team with the load of each member')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const teams = await baton.listTeams();
        out.result(teams, () => formatTeams(teams));
      }),
    );

  program
    .command('contribute')
    .description("a collaborator's note, progress step or artifacts on a task another worker holds")
    .argument('<id>', 'task id')
    .requiredOption('-w, --worker <id>', 'the collaborator')
    .option('--note <text>', 'a note')
    .option('--step <name>', "a progress step of the collaborator's own")
    .option('--progress <percent>', 'with --step: how far, 0-100')
    .option('--artifacts <paths>', 'files or URLs produced, comma-separated')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.contribute(taskId, {
          workerId: String(opts.worker),
          ...(opts.note !== undefined && { note: String(opts.note) }),
          ...(opts.step !== undefined && { step: String(opts.step) }),
          ...(opts.progress !== undefined && { progress: Number(opts.progress) }),
          ...(opts.artifacts !== undefined && { artifacts: parseList(String(opts.artifacts), 'artifacts') }),
        });
        out.result(task, () => `contributed to ${formatTaskLine(task)} as ${String(opts.worker)}`);
      });
    });
}

/** `baton workers --load`. */
export async function printLoad(opts: Opts): Promise<void> {
  await withBaton(opts, async (baton, out) => {
    const loads = await baton.workerLoad();
    out.result(loads, () => formatLoad(loads));
  });
}
