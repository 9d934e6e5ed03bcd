import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { RunDetail, WorkflowRun } from '../../app/baton.js';
import { BatonError } from '../../core/errors.js';
import { RUN_STATUSES, type RunStatus } from '../../core/workflow/run.js';
import { type CliBaton, ExitSignal, type GlobalOptions, withBaton } from '../context.js';
import { readSource } from './workflows.js';

type Opts = GlobalOptions & Record<string, unknown>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `baton workflow run|status|runs|cancel|approve`: runs of registered workflows. */
export function registerRunCommands(workflow: Command, globals: () => GlobalOptions): void {
  workflow
    .command('run')
    .description('start a run of a workflow; a FILE is validated and registered first')
    .argument('<workflow>', 'a registered workflow name, or a definition file')
    .option('--param <k=v>', 'a param (repeatable); a value that is not a string is read as JSON', collect)
    .option('--version <n>', 'run this version of the workflow')
    .option('--wait', 'wait for the run to end; exits 1 unless it completed')
    .action(async (target: string, opts: Opts) =>
      withBaton({ ...globals(), ...opts }, async (baton, out) => {
        const params = paramsOf((opts.param as string[] | undefined) ?? []);
        let name = target;
        let version = opts.version === undefined ? undefined : positive(String(opts.version), 'version');
        if (existsSync(target) && statSync(target).isFile()) {
          const added = await baton.addWorkflow(readSource(target), { file: target });
          name = added.workflow.name;
          version ??= added.workflow.version;
        }
        let run = await baton.startRun(name, { params, ...(version !== undefined && { version }) });
        if (opts.wait) run = await waitFor(baton, run);
        out.result(run, () =>
          opts.wait ? statusText(run) : `started run ${run.id} of ${run.workflow} (version ${run.version})`,
        );
        if (opts.wait && run.status !== 'completed') throw new ExitSignal(1);
      }),
    );

  workflow
    .command('status')
    .description('one run: its steps with their states, times and task ids')
    .argument('<run>', 'the run id')
    .action(async (id: string, opts: Opts) =>
      withBaton({ ...globals(), ...opts }, async (baton, out) => {
        const run = await baton.getRun(positive(id, 'run'));
        out.result(run, () => statusText(run));
      }),
    );

  workflow
    .command('runs')
    .description('workflow runs, newest first')
    .option('--name <workflow>', 'runs of this workflow')
    .option('--status <status>', `runs in this state (${RUN_STATUSES.join(', ')})`)
    .action(async (opts: Opts) =>
      withBaton({ ...globals(), ...opts }, async (baton, out) => {
        const runs = await baton.listRuns({
          ...(opts.name !== undefined && { name: String(opts.name) }),
          ...(opts.status !== undefined && { status: String(opts.status) as RunStatus }),
        });
        out.result(runs, () => (runs.length === 0 ? 'no runs' : runsText(runs)));
      }),
    );

  workflow
    .command('cancel')
    .description('cancel a running run: its unfinished steps and their open tasks')
    .argument('<run>', 'the run id')
    .option('--reason <text>', 'why')
    .action(async (id: string, opts: Opts) =>
      withBaton({ ...globals(), ...opts }, async (baton, out) => {
        const run = await baton.cancelRun(positive(id, 'run'), opts.reason === undefined ? {} : { reason: String(opts.reason) });
        out.result(run, () => `cancelled run ${run.id} of ${run.workflow}`);
      }),
    );

  workflow
    .command('approve')
    .description("decide a run's approval step: approve it, or --reject it (your role must be one of the step's `by`)")
    .argument('<run>', 'the run id')
    .argument('<step>', 'the approval step id')
    .option('--reject', 'reject instead of approving: the step fails')
    .option('--comment <text>', 'why')
    .action(async (id: string, step: string, opts: Opts) =>
      withBaton({ ...globals(), ...opts }, async (baton, out) => {
        const run = await baton.approveStep(positive(id, 'run'), step, {
          ...(opts.reject ? { reject: true } : {}),
          ...(opts.comment !== undefined && { comment: String(opts.comment) }),
        });
        out.result(run, () => `${opts.reject ? 'rejected' : 'approved'} step ${step} of run ${run.id}: the run is ${run.status}`);
      }),
    );
}

function paramsOf(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new BatonError('invalid_argument', `param: expected k=v (got "${pair}")`, { field: 'param' });
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

function positive(text: string, field: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new BatonError('invalid_argument', `${field}: must be a positive whole number (got "${text}")`, { field });
  }
  return n;
}

async function waitFor(baton: CliBaton, run: RunDetail): Promise<RunDetail> {
  let current = run;
  while (current.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 250));
    current = await baton.getRun(run.id);
  }
  return current;
}

const time = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

export function statusText(run: RunDetail): string {
  const lines = [
    `run ${run.id}: ${run.workflow} v${run.version} ${run.status}${run.error ? ` (${run.error})` : ''}`,
    `  started ${time(run.createdAt)}${run.finishedAt ? `, ended ${time(run.finishedAt)}` : ''}, task #${run.parentTaskId}`,
    `  params ${JSON.stringify(run.params)}`,
  ];
  const width = Math.max(4, ...run.steps.map((s) => s.id.length));
  run.steps.forEach((s, i) => {
    const branch = i === run.steps.length - 1 ? '└─' : '├─';
    const waitsFor = s.status === 'waiting' && s.eventAfter != null ? '  for an event' : '';
    const extra = `${waitsFor}${s.waitUntil && s.status === 'waiting' ? `  until ${time(s.waitUntil)}` : ''}`;
    const decided = s.decision ? `  ${s.decision.approved ? 'approved' : 'rejected'} by ${s.decision.by ?? s.decision.role}` : '';
    lines.push(
      `${branch} ${s.id.padEnd(width)}  ${s.status.padEnd(9)}  ${time(s.startedAt)} → ${time(s.finishedAt)}${extra}${decided}`,
    );
    const tasks = run.tasks.filter((t) => t.step === s.id);
    const pad = i === run.steps.length - 1 ? '   ' : '│  ';
    for (const t of tasks) {
      lines.push(
        `${pad}  #${t.id} ${t.status.padEnd(9)} ${t.title}${t.run !== undefined ? `  (run ${t.run}: baton workflow status ${t.run})` : ''}`,
      );
    }
    if (s.error) lines.push(`${pad}  error: ${s.error}`);
  });
  return lines.join('\n');
}

function runsText(runs: WorkflowRun[]): string {
  const width = Math.max(8, ...runs.map((r) => r.workflow.length));
  const lines = runs.map(
    (r) =>
      `${String(r.id).padEnd(5)} ${r.workflow.padEnd(width)}  v${String(r.version).padEnd(4)} ${r.status.padEnd(9)} ${time(r.createdAt)}`,
  );
  return [`${'RUN'.padEnd(5)} ${'WORKFLOW'.padEnd(width)}  VER   STATUS    STARTED`, ...lines].join('\n');
}
