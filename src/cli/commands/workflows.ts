import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { WorkflowRecord, WorkflowSummary, WorkflowValidation } from '../../app/baton.js';
import { BatonError, isBatonError } from '../../core/errors.js';
import { formatProblems, STEP_KINDS, validateWorkflowSource, type WorkflowProblem } from '../../core/workflow/index.js';
import { ExitSignal, type GlobalOptions, makeOutput, serverOf, withBaton } from '../context.js';
import { registerRunCommands } from './workflow-runs.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton workflow`: workflow definitions — validate a file, register it, list and show them. */
export function registerWorkflowCommands(program: Command, globals: () => GlobalOptions): void {
  const workflow = program
    .command('workflow')
    .description('workflow definitions: named graphs of steps (tasks, approvals, waits, sub-workflows) with params and triggers');

  workflow
    .command('validate')
    .description(
      'check a definition file (YAML or JSON; - reads stdin): prints FILE:LINE:COL: reason for every problem, exits 2 if any',
    )
    .argument('<file>', 'the definition file')
    .action(async (file: string, opts: Opts) => {
      const o = { ...globals(), ...opts };
      const source = readSource(file);
      // Checking a file needs no store; with --server the server checks it.
      const result: WorkflowValidation = serverOf(o)
        ? await withBaton(o, (baton) => baton.validateWorkflow(source, { file }))
        : validateWorkflowSource(source, file);
      const out = makeOutput(Boolean(o.json));
      out.result(result, () =>
        result.valid && result.definition
          ? `${file}: valid workflow ${result.definition.name} (${plural(result.definition.steps.length, 'step')})`
          : `${formatProblems(result.problems)}\n${file}: ${plural(result.problems.length, 'problem')}`,
      );
      if (!result.valid) throw new ExitSignal(2);
    });

  workflow
    .command('add')
    .description(
      'register a definition: a new name is version 1, a changed definition the next version, the same one changes nothing',
    )
    .argument('<file>', 'the definition file (YAML or JSON; - reads stdin)')
    .action(async (file: string, opts: Opts) => {
      const o = { ...globals(), ...opts };
      const source = readSource(file);
      await withBaton(o, async (baton, out) => {
        try {
          const { workflow: w, created } = await baton.addWorkflow(source, { file });
          out.result({ workflow: w, created }, () =>
            created
              ? `registered workflow ${w.name} version ${w.version} (${plural(w.definition.steps.length, 'step')})`
              : `workflow ${w.name} version ${w.version} already has this definition: nothing changed`,
          );
        } catch (err) {
          if (out.json || !isBatonError(err) || err.code !== 'invalid_workflow') throw err;
          const problems = (err.details?.problems ?? []) as WorkflowProblem[];
          process.stderr.write(
            `error: invalid_workflow: ${file} has ${plural(problems.length, 'problem')}\n${formatProblems(problems)}\n`,
          );
          throw new ExitSignal(err.exitCode);
        }
      });
    });

  workflow
    .command('list')
    .description('registered workflows: the latest version of each')
    .action(async (opts: Opts) =>
      withBaton({ ...globals(), ...opts }, async (baton, out) => {
        const all = await baton.listWorkflows();
        out.result(all, () => (all.length === 0 ? 'no workflows: register one with `baton workflow add FILE`' : listText(all)));
      }),
    );

  workflow
    .command('show')
    .description('one workflow: its steps, params and triggers (the latest version unless --version)')
    .argument('<name>', 'the workflow name')
    .option('--version <n>', 'a version of it')
    .option('--source', 'print the file as registered')
    .action(async (name: string, opts: Opts) =>
      withBaton({ ...globals(), ...opts }, async (baton, out) => {
        const version = opts.version === undefined ? undefined : versionOf(String(opts.version));
        const w = await baton.getWorkflow(name, version === undefined ? {} : { version });
        out.result(w, () => (opts.source ? w.source.replace(/\n$/, '') : showText(w)));
      }),
    );

  registerRunCommands(workflow, globals);
}

export function readSource(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new BatonError('invalid_argument', `file: cannot read ${file}: ${(err as Error).message}`, { field: 'file' });
  }
}

function versionOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new BatonError('invalid_argument', `version: must be a positive whole number (got "${text}")`, { field: 'version' });
  }
  return n;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function listText(all: WorkflowSummary[]): string {
  const width = Math.max(4, ...all.map((w) => w.name.length));
  const lines = all.map((w) =>
    `${w.name.padEnd(width)}  v${String(w.version).padEnd(4)} ${plural(w.steps, 'step').padEnd(9)} ${(w.nextRunAt ?? '-').padEnd(24)} ${w.description ?? ''}`.trimEnd(),
  );
  return [`${'NAME'.padEnd(width)}  VER   STEPS     NEXT RUN                 DESCRIPTION`, ...lines].join('\n');
}

function showText(w: WorkflowRecord): string {
  const d = w.definition;
  const lines = [`${w.name} (version ${w.version}, registered ${w.createdAt}${w.createdBy ? ` by ${w.createdBy}` : ''})`];
  if (d.description) lines.push(`  ${d.description}`);
  const params = Object.entries(d.params ?? {});
  if (params.length > 0) {
    lines.push('params:');
    for (const [name, p] of params) {
      const extra = [p.required ? 'required' : null, p.default !== undefined ? `default ${JSON.stringify(p.default)}` : null]
        .filter(Boolean)
        .join(', ');
      lines.push(`  ${name}: ${p.type}${extra ? ` (${extra})` : ''}`);
    }
  }
  lines.push('steps:');
  for (const s of d.steps) {
    const kind = STEP_KINDS.find((k) => s[k] !== undefined) ?? '?';
    const what = s.task ? `task "${s.task.title}"` : s.workflow ? `workflow ${s.workflow.name}` : kind;
    const mods = [s.foreach !== undefined ? 'foreach' : null, s.loop ? `loop ≤${s.loop.max}` : null, s.if ? 'if' : null].filter(
      Boolean,
    );
    const needs = s.needs?.length ? `  needs ${s.needs.join(', ')}` : '';
    lines.push(`  ${s.id}: ${what}${mods.length ? ` [${mods.join(', ')}]` : ''}${needs}`);
  }
  if (d.on_failure?.length) lines.push(`on failure: ${d.on_failure.join(', ')}`);
  for (const t of d.triggers ?? []) {
    lines.push(
      t.cron
        ? `trigger: cron "${t.cron}"${t.timezone ? ` (${t.timezone})` : ''}`
        : `trigger: event ${t.event?.type}${t.event?.tag ? ` tagged ${t.event.tag}` : ''}`,
    );
  }
  return lines.join('\n');
}
