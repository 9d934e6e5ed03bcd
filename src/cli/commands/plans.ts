import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PLANNER_NAMES } from '../../core/breakdown/types.js';
import { BatonError, invalid } from '../../core/errors.js';
import { planToMarkdown } from '../../core/plan/document.js';
import type { ImportPlanInput } from '../../core/schemas.js';
import { parseJson, parseList, parseTaskId } from '../../core/values.js';
import { type GlobalOptions, withBaton } from '../context.js';
import { parsePlanner } from './breakdown.js';
import { readSource } from './workflows.js';

type Opts = GlobalOptions & Record<string, unknown>;

const PLAN_HELP = `
A plan in Markdown:
  # Authentication @backend !high          a heading is a task; deeper headings are its subtasks
  Users sign in with Google or a password.  lines under an item are its description
  ## OAuth login ~1d                        ~estimate, @capability, !priority on any title
  - [ ] Register the OAuth app ~1h          list and checklist items are subtasks ([x]: done)
  - [ ] Callback endpoint @api
    depends on #3                           #N: the plan's item N, counted top to bottom from 1
  ## Password reset
  after OAuth login                         or name an item by its title; "task 57": a task in the store
A document without any list is prose: the configured planner breaks it down (--prose forces it).
A JSON plan: {"tasks": [{"ref": "api", "title": "...", "subtasks": [...], "dependsOn": ["api"]}]}.`;

/** `baton plan import` and `baton plan export` (README "Plans"). */
export function registerPlanCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });
  const plan = program.command('plan').description('import a plan (Markdown or JSON) as tasks, or export tasks as a plan');

  plan
    .command('import')
    .description(
      'create the tasks of a plan in one go: Markdown (headings, lists, checklists) or JSON; prose goes to the planner',
    )
    .argument('<file>', 'the plan: a .md or .json file (- reads stdin)')
    .option('--dry-run', 'show the tree it would create, and write nothing')
    .option('--prose', 'read the document as prose even if it has lists: the planner breaks it down')
    .option('--planner <name>', `planner for prose (${PLANNER_NAMES.join(', ')}; default: the configured one)`)
    .option('-q, --queue <name>', 'the queue every task waits in')
    .option('-t, --tags <tags>', 'tags added to every task, comma-separated')
    .option('--hold', 'create every task on hold: no worker claims one until it is resumed')
    .addHelpText('after', PLAN_HELP)
    .action(async (file: string, opts: Opts) => {
      const input: ImportPlanInput = {
        ...planSource(file, readSource(file)),
        ...(opts.dryRun === true && { dryRun: true }),
        ...(opts.prose === true && { prose: true }),
        ...(opts.planner !== undefined && { planner: parsePlanner(String(opts.planner)) }),
        ...(opts.queue !== undefined && { queue: String(opts.queue) }),
        ...(opts.tags !== undefined && { tags: parseList(String(opts.tags), 'tags') }),
        ...(opts.hold === true && { hold: true }),
      };
      await withBaton(g(opts), async (baton, out) => {
        const result = await baton.importPlan(input);
        const { formatPlanImport } = await import('../format-breakdown.js');
        out.result(result, () => formatPlanImport(result));
      });
    });

  plan
    .command('export')
    .description('write tasks as a plan that imports back as the same tree: the tree under a task, or every task')
    .argument('[id]', 'the task whose tree to export (default: every task)')
    .option('--format <format>', 'md (Markdown, the default) or json', 'md')
    .option('--include-cancelled', 'keep cancelled tasks')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (id: string | undefined, opts: Opts) => {
      const format = String(opts.format);
      if (format !== 'md' && format !== 'json') throw invalid('format', `must be md or json, not "${format}"`);
      await withBaton(g(opts), async (baton, out) => {
        const document = await baton.exportPlan({
          ...(id !== undefined && { root: parseTaskId(id) }),
          ...(opts.includeCancelled === true && { skipCancelled: false }),
        });
        const asJson = format === 'json' || out.json;
        const text = asJson ? `${JSON.stringify(document, null, 2)}\n` : planToMarkdown(document);
        if (opts.output === undefined) process.stdout.write(text);
        else {
          writeFileSync(String(opts.output), text);
          if (!out.json) process.stderr.write(`wrote ${String(opts.output)}\n`);
        }
      });
    });
}

/** A `.json` file (or text that starts with `{`) is a JSON plan; anything else is Markdown. */
function planSource(file: string, text: string): Pick<ImportPlanInput, 'markdown' | 'plan'> {
  if (!file.toLowerCase().endsWith('.json') && !text.trimStart().startsWith('{')) return { markdown: text };
  const value = parseJson(text, 'file');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BatonError('invalid_argument', 'file: a JSON plan is an object with "tasks"', { field: 'file' });
  }
  return { plan: value as NonNullable<ImportPlanInput['plan']> };
}
