import type { Command } from 'commander';
import type { CreateTaskInput, UpdateTaskInput } from '../../app/baton.js';
import { CONDITION_VARIABLES } from '../../core/conditions.js';
import { BatonError } from '../../core/errors.js';
import { scheduleNote } from '../../core/schedule-note.js';
import type { BulkAction } from '../../core/schemas.js';
import { RETRY_POLICIES, type RetryPolicySpec } from '../../core/types.js';
import {
  parseEstimate,
  parseIdList,
  parseJson,
  parseList,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePriority,
  parseSeconds,
  parseStatus,
  parseTaskId,
} from '../../core/values.js';
import { isBulk, runBulk, selection } from '../bulk.js';
import { terminalWidth } from '../colors.js';
import { type GlobalOptions, withBaton } from '../context.js';
import { formatDetail, formatList, formatTaskLine } from '../format.js';
import { collectResources } from './resources.js';
import { bulkUpdate, listFilters, treeOrder } from './steer.js';
import { teamworkInput, teamworkOptions } from './teams.js';

type Opts = GlobalOptions & Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Task commands: create, read, change. Each only translates arguments to one `Baton` call; the
 * input's limits are those of the core schemas, which the app (or the server) applies.
 */
export function registerTaskCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });

  const add = program
    .command('add')
    .description('create a task')
    .argument('<title>', 'what to do (1–200 characters)')
    .option('-d, --description <text>', 'details, acceptance criteria')
    .option('-p, --priority <priority>', 'critical | high | normal | low | maintenance', 'normal')
    .option('-c, --capabilities <caps>', 'capabilities a worker needs, comma-separated')
    .option('-t, --tags <tags>', 'tags, comma-separated')
    .option(
      '--resource <name[:N]>',
      'a resource held while executing (at most N holders execute at once; repeatable, comma-separated)',
      collectResources,
    )
    .option('--type <type>', 'feature, bug, research, maintenance, …')
    .option('--queue <name>', 'the named queue it waits in (default: default); a full queue refuses it')
    .option('--estimate <duration>', 'estimate such as 90m, 6h, 4h30m, 1d4h (a day is 8 h)')
    .option('--depends-on <ids>', 'tasks that must complete first, comma-separated')
    .option('--command <cmd>', 'shell command an executor worker runs')
    .option('--input <json>', 'JSON payload for the worker')
    .option('--max-retries <n>', 'retries after a failed attempt')
    .option('--assign <worker>', 'reserve the task for one registered worker')
    .option('--force', "with --assign: reserve even if the worker lacks the task's capabilities")
    .option(
      '--assignment <mode>',
      "how it reaches a worker: pull | push | hybrid | auction (default: its queue's, else the config's)",
    )
    .option('--review', 'require a review by another worker before completing')
    .option('--no-breakdown', 'do not break it down automatically, even if it is an epic')
    .option('--hold', 'create it paused: no worker claims it until `baton resume ID`; edit or break it down first')
    .option('--timeout <seconds>', 'an attempt running longer fails and its process group is killed (default from config)')
    .option('--retry-policy <policy>', 'immediate | fixed | exponential (default from config)')
    .option('--retry-delay <seconds>', 'delay before a retry (exponential: the first one)')
    .option('--retry-max <seconds>', 'cap of an exponential retry delay')
    .option('--run-after <time>', 'not claimable before then: a delay such as 10m, 2h, 1d, or an ISO-8601 time')
    .option('--every <cron>', 'recurring: a template that creates one task per fire time, e.g. "0 9 * * 1-5"')
    .option('--timezone <zone>', 'with --every: the IANA time zone the cron is read in (default UTC)');
  teamworkOptions(add).action(async (title: string, opts: Opts) =>
    withBaton(g(opts), async (baton, out) => {
      const teamwork = teamworkInput(opts);
      const input: CreateTaskInput = {
        title,
        priority: parsePriority(String(opts.priority)),
        ...(opts.description !== undefined && { description: String(opts.description) }),
        ...(opts.capabilities !== undefined && { capabilities: parseList(String(opts.capabilities), 'capabilities') }),
        ...(opts.tags !== undefined && { tags: parseList(String(opts.tags), 'tags') }),
        ...(Array.isArray(opts.resource) && { resources: opts.resource as string[] }),
        ...(opts.type !== undefined && { type: String(opts.type) }),
        ...(opts.queue !== undefined && { queue: String(opts.queue) }),
        ...(opts.estimate !== undefined && { estimateMinutes: parseEstimate(String(opts.estimate)) }),
        ...teamwork,
        ...(opts.dependsOn !== undefined && {
          dependsOn: [...(teamwork.dependsOn ?? []), ...parseIdList(String(opts.dependsOn))],
        }),
        ...(opts.command !== undefined && { command: String(opts.command) }),
        ...(opts.input !== undefined && { input: parseJson(String(opts.input), 'input') }),
        ...(opts.maxRetries !== undefined && { maxRetries: parseNonNegativeInt(String(opts.maxRetries), 'maxRetries') }),
        ...(opts.assign !== undefined && { assignee: String(opts.assign) }),
        ...(opts.force === true && { force: true }),
        ...(opts.assignment !== undefined && { assignment: String(opts.assignment) as CreateTaskInput['assignment'] }),
        ...(opts.review === true && { review: true }),
        ...(opts.breakdown === false && { noBreakdown: true }),
        ...(opts.hold === true && { hold: true }),
        ...(opts.timeout !== undefined && { timeoutSeconds: parseSeconds(String(opts.timeout), 'timeout') }),
        ...(opts.runAfter !== undefined && { runAfter: String(opts.runAfter) }),
        ...(opts.every !== undefined && { every: String(opts.every) }),
        ...(opts.timezone !== undefined && { timezone: String(opts.timezone) }),
        ...(await retryOptions(opts, async () => (await baton.describe()).policy.retry)),
      };
      const task = await baton.createTask(input);
      const subtasks = task.status === 'executing' && !task.lease ? (await baton.listTasks({ parentId: task.id })).tasks : [];
      const { formatCreated } = await import('../format-breakdown.js');
      const note = scheduleNote(task, Date.now());
      out.result(task, () => formatCreated(task, subtasks, formatTaskLine(task) + (note ? ` (${note})` : '')));
    }),
  );

  program
    .command('list')
    .description('list tasks')
    .option('-s, --status <statuses>', 'only these statuses, comma-separated')
    .option('-w, --worker <worker>', 'only tasks assigned to this worker')
    .option('--tag <tag>', 'only tasks with this tag')
    .option('--parent <id>', 'only subtasks of this task')
    .option('--ids <ids>', 'only these tasks, comma-separated ids')
    .option('--ready', 'only tasks claimable now, in the order workers receive them')
    .option('--priority <priorities>', 'only these priorities, comma-separated')
    .option('--capability <caps>', 'only tasks needing one of these capabilities, comma-separated')
    .option('--search <text>', 'only tasks whose title or description has these words (word prefixes)')
    .option('--sort <order>', 'claim | priority | created | updated (default: created; with --ready: claim)')
    .option('--open', 'leave out completed, cancelled and skipped tasks (the default of human output)')
    .option('--all', 'also completed, cancelled and skipped tasks in human output')
    .option('--parents', 'only tasks broken into subtasks (epics and other parents)')
    .option('--no-parents', 'only tasks without subtasks')
    .option('--tree', 'parents with their subtasks indented below them')
    .option('-n, --limit <n>', 'at most this many', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--cursor <next>', 'the page after the one that gave this `next`')
    .action(async (opts: Opts) => {
      const limit = parsePositiveInt(String(opts.limit), 'limit');
      const offset = parseNonNegativeInt(String(opts.offset), 'offset');
      const query = {
        limit,
        offset,
        ...(opts.cursor !== undefined && { cursor: String(opts.cursor) }),
        ...(opts.status !== undefined && { status: parseList(String(opts.status), 'status').map((s) => parseStatus(s)) }),
        ...(opts.worker !== undefined && { worker: String(opts.worker) }),
        ...(opts.tag !== undefined && { tag: String(opts.tag) }),
        ...(opts.parent !== undefined && { parentId: parseTaskId(String(opts.parent), 'parent') }),
        ...(opts.ids !== undefined && { ids: parseList(String(opts.ids), 'ids').map((id) => parseTaskId(id, 'ids')) }),
        ...(opts.ready === true && { ready: true }),
        ...listFilters(opts, Boolean(g(opts).json)),
      };
      await withBaton(g(opts), async (baton, out) => {
        const page = await baton.listTasks(query);
        const depth = opts.tree === true ? treeOrder(page) : null;
        const shown = depth ? { ...page, tasks: depth.tasks } : page;
        const human = () =>
          formatList(shown, limit, opts.cursor === undefined ? offset : null, {
            width: terminalWidth(),
            ...(depth && { depth: depth.depth }),
          });
        out.result(
          depth ? { ...shown, tree: depth.tasks.map((t) => ({ id: t.id, depth: depth.depth.get(t.id) ?? 0 })) } : page,
          human,
        );
      });
    });

  program
    .command('show')
    .description('everything about a task, with its history')
    .argument('<id>', 'task id')
    .option('--tree', 'also the whole subtask tree, every level')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const detail = await baton.showTask(taskId);
        const { latestAttemptLog, formatLogTail } = await import('./worker.js');
        const log = await latestAttemptLog(g(opts), taskId, baton);
        const tree = opts.tree === true ? await (await import('./breakdown.js')).subtaskTree(baton, taskId) : null;
        const { formatSubtaskTree } = await import('../format-breakdown.js');
        const human = () =>
          formatDetail(detail) + (tree ? `\n\n${formatSubtaskTree(detail.task, tree)}` : '') + (log ? formatLogTail(log) : '');
        out.result({ ...detail, ...(tree && { tree }), ...(log && { log }) }, human);
      });
    });

  program
    .command('update')
    .description('change fields of a task (or the priority of several: ids or --where)')
    .argument('<ids...>', 'task id (several, or --where, to change only --priority)')
    .option('--title <title>')
    .option('-d, --description <text>')
    .option('-p, --priority <priority>')
    .option('--type <type>')
    .option('--capabilities <caps>', 'replace the capabilities')
    .option('--add-cap <caps>', 'add capabilities')
    .option('--remove-cap <caps>', 'remove capabilities')
    .option('--tags <tags>', 'replace the tags')
    .option('--add-tag <tags>', 'add tags')
    .option('--remove-tag <tags>', 'remove tags')
    .option('--resource <name[:N]>', 'replace the resources held while executing (repeatable, comma-separated)', collectResources)
    .option('--no-resource', 'hold no resource')
    .option('--estimate <duration>', 'estimate such as 90m, 6h, 4h30m, 1d4h (a day is 8 h)')
    .option('--command <cmd>')
    .option('--max-retries <n>')
    .option('--review', 'require review')
    .option('--no-review', 'do not require review')
    .option('--run-after <time>', 'not claimable before then: a delay such as 10m, 2h, or an ISO-8601 time; "now" clears it')
    .option('--if-version <v>', 'refuse if the task changed since this version')
    .option('--where <filters>', 'every task matching, e.g. status=queued,tag=nightly (with --priority only)')
    .option('-y, --yes', 'change several tasks without asking')
    .action(async (ids: string[], opts: Opts) => {
      if (isBulk(ids, opts.where)) return bulkUpdate(ids, g(opts));
      const taskId = parseTaskId(ids[0] ?? '');
      const list = (key: string, field: string) => (opts[key] !== undefined ? parseList(String(opts[key]), field) : undefined);
      const input: UpdateTaskInput = {
        ...(opts.title !== undefined && { title: String(opts.title) }),
        ...(opts.description !== undefined && { description: String(opts.description) }),
        ...(opts.priority !== undefined && { priority: parsePriority(String(opts.priority)) }),
        ...(opts.type !== undefined && { type: String(opts.type) }),
        ...(opts.capabilities !== undefined && { capabilities: list('capabilities', 'capabilities') }),
        ...(opts.addCap !== undefined && { addCapabilities: list('addCap', 'capabilities') }),
        ...(opts.removeCap !== undefined && { removeCapabilities: list('removeCap', 'capabilities') }),
        ...(opts.tags !== undefined && { tags: list('tags', 'tags') }),
        ...(opts.addTag !== undefined && { addTags: list('addTag', 'tags') }),
        ...(opts.removeTag !== undefined && { removeTags: list('removeTag', 'tags') }),
        ...(Array.isArray(opts.resource) && { resources: opts.resource as string[] }),
        ...(opts.resource === false && { resources: [] }),
        ...(opts.estimate !== undefined && { estimateMinutes: parseEstimate(String(opts.estimate)) }),
        ...(opts.command !== undefined && { command: String(opts.command) }),
        ...(opts.maxRetries !== undefined && { maxRetries: parseNonNegativeInt(String(opts.maxRetries), 'maxRetries') }),
        ...(typeof opts.review === 'boolean' && { review: opts.review }),
        ...(opts.runAfter !== undefined && { runAfter: String(opts.runAfter) === 'now' ? null : String(opts.runAfter) }),
      };
      const guard = versionOption(opts);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.updateTask(taskId, input, guard);
        const note = scheduleNote(task, Date.now());
        out.result(task, () => `updated ${formatTaskLine(task)}${note ? ` (${note})` : ''} (version ${task.version})`);
      });
    });

  const simple = (
    name: string,
    description: string,
    call: 'cancelTask' | 'retryTask' | 'pauseTask' | 'resumeTask',
    verb: string,
  ) => {
    const cmd = program.command(name).description(description).argument('[ids...]', 'task ids (or --where)');
    if (name === 'cancel') cmd.option('--reason <text>', 'why, kept in the history');
    cmd.option('--where <filters>', 'every task matching, e.g. status=failed,tag=nightly');
    cmd.option('-y, --yes', 'change several tasks (or a parent with open subtasks) without asking');
    cmd.action(async (ids: string[], opts: Opts) => {
      if (isBulk(ids, opts.where) || ids.length === 0) {
        const input = {
          action: name as BulkAction,
          ...selection(ids, opts.where),
          ...(str(opts.reason) && { reason: str(opts.reason) }),
        };
        return withBaton(g(opts), (baton, out) => runBulk(baton, out, input, g(opts)));
      }
      const taskId = parseTaskId(ids[0] ?? '');
      await withBaton(g(opts), async (baton, out) => {
        if (call === 'cancelTask') await (await import('./breakdown.js')).confirmCascade(baton, taskId, g(opts));
        const task =
          call === 'cancelTask' ? await baton.cancelTask(taskId, { reason: str(opts.reason) ?? '' }) : await baton[call](taskId);
        out.result(task, () => `${verb} ${formatTaskLine(task)}`);
      });
    });
  };
  simple('cancel', 'cancel tasks (they will not run)', 'cancelTask', 'cancelled');
  simple('retry', 'requeue failed, cancelled or skipped tasks', 'retryTask', 'requeued');
  simple('pause', 'hold tasks: they are not claimed until resumed', 'pauseTask', 'paused');
  simple('resume', 'resume paused tasks', 'resumeTask', 'resumed');

  program
    .command('depend')
    .description('make a task wait for others to complete (with --if, run it only if a condition holds, else skip it)')
    .argument('<id>', 'task id')
    .requiredOption('--on <ids>', 'tasks it depends on, comma-separated')
    .option(
      '--if <expression>',
      `a CEL condition over each dependency as it finished (${CONDITION_VARIABLES}), e.g. 'result.passed == true'`,
    )
    .option('--if-version <v>', 'refuse if the task changed since this version')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const on = parseIdList(String(opts.on));
      const condition = opts.if === undefined ? undefined : String(opts.if);
      const guard = versionOption(opts);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.addDependencies(
          taskId,
          condition === undefined ? on : on.map((d) => ({ id: d, if: condition })),
          guard,
        );
        out.result(task, () => {
          const line = `${formatTaskLine(task)} now depends on ${task.dependsOn.map((d) => `#${d}`).join(', ')}`;
          return condition === undefined ? line : `${line} (only if ${condition})`;
        });
      });
    });

  program
    .command('undepend')
    .description('remove a dependency')
    .argument('<id>', 'task id')
    .requiredOption('--on <id>', 'the dependency to remove')
    .option('--if-version <v>', 'refuse if the task changed since this version')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      const on = parseTaskId(String(opts.on), 'on');
      const guard = versionOption(opts);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.removeDependency(taskId, on, guard);
        out.result(task, () => `${formatTaskLine(task)} no longer depends on #${on}`);
      });
    });

  program
    .command('assign')
    .description('reserve a task for one registered worker')
    .argument('<id>', 'task id')
    .argument('<worker>', 'worker id')
    .option('--force', "reserve even if the worker lacks the task's capabilities")
    .action(async (id: string, worker: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.assignTask(taskId, worker, opts.force === true ? { force: true } : {});
        out.result(task, () => `${formatTaskLine(task)} reserved for ${worker}`);
      });
    });

  program
    .command('unassign')
    .description('drop the reservation of a task: it goes back to the shared queue')
    .argument('<id>', 'task id')
    .option('--reason <text>', 'why, kept in the history')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.unassignTask(taskId, opts.reason !== undefined ? { reason: String(opts.reason) } : {});
        out.result(task, () => `${formatTaskLine(task)} is no longer reserved`);
      });
    });
}

/** `--if-version V`: the version the caller read, guarding a change against lost updates. */
function versionOption(opts: Opts): { ifVersion?: number } {
  return opts.ifVersion !== undefined ? { ifVersion: parsePositiveInt(String(opts.ifVersion), 'ifVersion') } : {};
}

/**
 * `--retry-*` options on top of the policy of the store's owner (the server's, with `--server`),
 * so unspecified parts keep the configured values.
 */
async function retryOptions(
  opts: Opts,
  configuredPolicy: () => Promise<RetryPolicySpec>,
): Promise<{ retryPolicy?: RetryPolicySpec }> {
  if (opts.retryPolicy === undefined && opts.retryDelay === undefined && opts.retryMax === undefined) return {};
  const configured = await configuredPolicy();
  const policy = opts.retryPolicy === undefined ? configured.policy : String(opts.retryPolicy);
  if (!(RETRY_POLICIES as readonly string[]).includes(policy)) {
    throw new BatonError('invalid_argument', `retryPolicy: must be one of ${RETRY_POLICIES.join(', ')} (got "${policy}")`);
  }
  const seconds = (v: unknown, field: string) => (/^0+(\.0+)?$/.test(String(v).trim()) ? 0 : parseSeconds(String(v), field));
  return {
    retryPolicy: {
      ...configured,
      policy: policy as RetryPolicySpec['policy'],
      ...(opts.retryDelay !== undefined && { baseSeconds: seconds(opts.retryDelay, 'retryDelay') }),
      ...(opts.retryMax !== undefined && { maxSeconds: seconds(opts.retryMax, 'retryMax') }),
    },
  };
}
