import type { Command } from 'commander';
import type { Baton } from '../../app/baton.js';
import { PLANNER_NAMES, type PlannerName } from '../../core/breakdown/types.js';
import { BatonError, invalid } from '../../core/errors.js';
import type { Task } from '../../core/types.js';
import { parseEstimate, parseList, parseTaskId } from '../../core/values.js';
import { ExitSignal, type GlobalOptions, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `--threshold N`: a whole score from 1 to 10 (the Baton call checks the range). */
function thresholdOf(opts: Opts): { threshold?: number } {
  if (opts.threshold === undefined) return {};
  const raw = String(opts.threshold).trim();
  if (!/^\d+$/.test(raw)) throw invalid('threshold', `must be a whole number from 1 to 10, not "${raw}"`);
  return { threshold: Number(raw) };
}

export function parsePlanner(raw: string): PlannerName {
  const p = raw.trim().toLowerCase();
  if ((PLANNER_NAMES as readonly string[]).includes(p)) return p as PlannerName;
  throw invalid('planner', `unknown planner "${raw}" (expected one of ${PLANNER_NAMES.join(', ')})`);
}

/** `baton analyze` and `baton breakdown` (SPEC §6). */
export function registerBreakdownCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });

  program
    .command('analyze')
    .description('complexity of a task, why, and what to do about it; --all: a report of every open task')
    .argument('[id-or-title]', 'a task id, or the title of a task not yet created')
    .option('--all', 'score every open task from 1 to 10 with the reasons, and name those to break down')
    .option('--threshold <score>', 'with --all: the score from which to break a task down (1–10, default 7)')
    .option('-d, --description <text>', 'description, when analysing a title')
    .option('--estimate <duration>', 'estimate, when analysing a title')
    .option('--type <type>', 'type, when analysing a title')
    .option('-c, --capabilities <caps>', 'capabilities, when analysing a title')
    .action(async (target: string | undefined, opts: Opts) => {
      if (opts.all === true) {
        if (target !== undefined) throw invalid('id-or-title', 'give a task or --all, not both');
        const query = thresholdOf(opts);
        await withBaton(g(opts), async (baton, out) => {
          const report = await baton.complexityReport(query);
          const { formatComplexityReport } = await import('../format-breakdown.js');
          out.result(report, () => formatComplexityReport(report));
        });
        return;
      }
      if (target === undefined) throw invalid('id-or-title', 'give a task id or title, or --all');
      if (opts.threshold !== undefined) throw invalid('threshold', 'goes with --all');
      const subject = /^#?\d+$/.test(target.trim())
        ? parseTaskId(target)
        : {
            title: target,
            ...(opts.description !== undefined && { description: String(opts.description) }),
            ...(opts.estimate !== undefined && { estimateMinutes: parseEstimate(String(opts.estimate)) }),
            ...(opts.type !== undefined && { type: String(opts.type) }),
            ...(opts.capabilities !== undefined && { capabilities: parseList(String(opts.capabilities), 'capabilities') }),
          };
      await withBaton(g(opts), async (baton, out) => {
        const analysis = await baton.analyze(subject);
        const { formatAnalysis } = await import('../format-breakdown.js');
        out.result(analysis, () => formatAnalysis(analysis));
      });
    });

  program
    .command('breakdown')
    .description('split a task into subtasks (a tree with estimates, capabilities and dependencies)')
    .argument('[id]', 'task id')
    .option('--planner <planner>', 'rules | command | http (default from config: rules)')
    .option('--dry-run', 'show the plan and write nothing')
    .option('--all', 'break down every open task that `analyze --all` names (scoring at or above --threshold)')
    .option('--threshold <score>', 'with --all: the score from which to break a task down (1–10, default 7)')
    .addHelpText(
      'after',
      `
Outside planners (breakdown.planner: command | http) get the task as JSON and answer:
  {"subtasks": [{"title": "…", "description": "…", "capabilities": ["…"],
                 "estimateMinutes": 120, "dependsOn": [0]}]}
  1 to 30 subtasks in order; title required (≤ 200 characters); dependsOn: indexes of earlier
  subtasks. JSON Schema: docs/planner-output.schema.json; recipes: docs/planners.md.
  A rejected answer falls back to the rule planner; the reason is noted on the task.`,
    )
    .action(async (id: string | undefined, opts: Opts) => {
      const options = {
        dryRun: opts.dryRun === true,
        ...(opts.planner !== undefined && { planner: parsePlanner(String(opts.planner)) }),
      };
      if (opts.all === true) {
        if (id !== undefined) throw invalid('id', 'give a task id or --all, not both');
        const all = { ...options, ...thresholdOf(opts) };
        await withBaton(g(opts), async (baton, out) => {
          const result = await baton.breakdownAll(all);
          const { formatBreakdownAll } = await import('../format-breakdown.js');
          out.result(result, () => formatBreakdownAll(result));
        });
        return;
      }
      if (id === undefined) throw invalid('id', 'give a task id, or --all');
      if (opts.threshold !== undefined) throw invalid('threshold', 'goes with --all');
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const result = await baton.breakdown(taskId, options);
        const { formatBreakdown } = await import('../format-breakdown.js');
        out.result(result, () => formatBreakdown(result));
      });
    });
}

/** Every subtask below a task, every level, in id order (`baton show ID --tree`). */
export async function subtaskTree(baton: Pick<Baton, 'listTasks'>, id: number): Promise<Task[]> {
  const found: Task[] = [];
  const parents = [id];
  for (let parentId = parents.shift(); parentId !== undefined; parentId = parents.shift()) {
    for (let cursor: string | undefined; ; ) {
      const page = await baton.listTasks({ parentId, ...(cursor !== undefined && { cursor }) });
      found.push(...page.tasks);
      parents.push(...page.tasks.map((t) => t.id));
      if (page.next === null) break;
      cursor = page.next;
    }
  }
  return found.sort((a, b) => a.id - b.id);
}

const OPEN_STATUSES = ['blocked', 'queued', 'assigned', 'executing', 'paused', 'reviewing'] as const;

/**
 * `baton cancel` of a parent also cancels its open subtasks: on a terminal it asks first; a script
 * (no terminal, or `--json`) must say `--yes`, so nothing is cancelled by surprise.
 */
export async function confirmCascade(
  baton: Pick<Baton, 'listTasks'>,
  taskId: number,
  opts: { yes?: unknown; json?: boolean | undefined },
): Promise<void> {
  if (opts.yes === true) return;
  const { total } = await baton.listTasks({ parentId: taskId, status: [...OPEN_STATUSES], limit: 1 });
  if (total === 0) return;
  const question = `task ${taskId} has ${total} open subtask${total === 1 ? '' : 's'}; cancel them too`;
  if (opts.json || !process.stdin.isTTY || !process.stdout.isTTY) {
    throw new BatonError('usage', `${question}? pass --yes to confirm`);
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new ExitSignal(1);
  } finally {
    rl.close();
  }
}
