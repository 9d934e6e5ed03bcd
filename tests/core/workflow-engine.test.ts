// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${{ }} of workflow definitions, written as in a file
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../src/core/types.js';
import { planRun, type RunTaskView } from '../../src/core/workflow/engine.js';
import { initialSteps, type WorkflowRun } from '../../src/core/workflow/run.js';
import { type WorkflowDefinition, workflowDefinitionSchema } from '../../src/core/workflow/schema.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function runOf(def: WorkflowDefinition, params: Record<string, unknown> = {}): WorkflowRun {
  return {
    id: 1,
    workflow: def.name,
    version: 1,
    params,
    status: 'running',
    parentTaskId: 100,
    steps: initialSteps(def),
    error: null,
    createdBy: null,
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    finishedAt: null,
    revision: 1,
  };
}

/** Applies a plan as the app does: placeholders become task ids 1, 2, … after `next`. */
function apply(run: WorkflowRun, plan: ReturnType<typeof planRun>, next: { id: number }): WorkflowRun {
  const ids = plan.create.map(() => ++next.id);
  const steps = plan.steps.map((s) => ({ ...s, taskIds: s.taskIds.map((id) => (id < 0 ? (ids[-id - 1] as number) : id)) }));
  return { ...run, steps, status: plan.status, error: plan.error };
}

const view = (id: number, status: TaskStatus, result: unknown = null): [number, RunTaskView] => [
  id,
  { id, status, result, lastError: status === 'failed' ? 'exit 1' : null },
];

describe('the run engine (pure: the time is given)', () => {
  it('ends a wait exactly when its duration has passed, not a millisecond before', () => {
    const def = workflowDefinitionSchema.parse({
      name: 'w',
      steps: [
        { id: 'hold', wait: { duration: '90s' } },
        { id: 'next', needs: ['hold'], task: { title: 'Next' } },
      ],
    });
    const next = { id: 0 };
    let run = apply(runOf(def), planRun(def, runOf(def), new Map(), T0), next);
    expect(run.steps[0]).toMatchObject({ status: 'waiting', waitUntil: new Date(T0 + 90_000).toISOString() });
    const early = planRun(def, run, new Map(), T0 + 89_999);
    expect(early.changed).toBe(false);
    const due = planRun(def, run, new Map(), T0 + 90_000);
    run = apply(run, due, next);
    expect(run.steps.map((s) => s.status)).toEqual(['completed', 'running']);
    expect(due.create.map((c) => c.task?.title)).toEqual(['Next']);
  });

  it('continue_on_error: the failed step lets its dependents run and the run complete', () => {
    const def = workflowDefinitionSchema.parse({
      name: 'c',
      steps: [
        { id: 'lint', continue_on_error: true, task: { title: 'Lint' } },
        { id: 'ship', needs: ['lint'], task: { title: 'Ship ${{ steps.lint.status }}' } },
      ],
    });
    const next = { id: 0 };
    let run = apply(runOf(def), planRun(def, runOf(def), new Map(), T0), next);
    const failed = planRun(def, run, new Map([view(1, 'failed')]), T0);
    run = apply(run, failed, next);
    expect(run.steps.map((s) => s.status)).toEqual(['failed', 'running']);
    expect(failed.create.map((c) => c.task?.title)).toEqual(['Ship failed']);
    const end = planRun(def, run, new Map([view(1, 'failed'), view(2, 'completed')]), T0);
    expect(end.status).toBe('completed');
  });

  it('a foreach item failing starts no further item, and the step fails once the started ones end', () => {
    const def = workflowDefinitionSchema.parse({
      name: 'f',
      steps: [{ id: 'each', foreach: [1, 2, 3], max_parallel: 2, task: { title: 'Item ${{ item }}' } }],
    });
    const next = { id: 0 };
    let run = apply(runOf(def), planRun(def, runOf(def), new Map(), T0), next);
    expect(run.steps[0]?.taskIds).toEqual([1, 2]);
    const oneFailed = planRun(def, run, new Map([view(1, 'failed'), view(2, 'executing')]), T0);
    expect(oneFailed.create).toEqual([]);
    run = apply(run, oneFailed, next);
    const end = planRun(def, run, new Map([view(1, 'failed'), view(2, 'completed', { ok: true })]), T0);
    expect(end.steps[0]).toMatchObject({ status: 'failed', result: [null, { ok: true }], error: 'exit 1' });
    expect(end.status).toBe('failed');
  });

  it('an expression that cannot be evaluated fails its step with the reason, and the run', () => {
    const def = workflowDefinitionSchema.parse({
      name: 'e',
      params: { n: { type: 'integer', default: 1 } },
      steps: [{ id: 'bad', foreach: '${{ params.n }}', task: { title: 'x' } }],
    });
    const plan = planRun(def, runOf(def, { n: 1 }), new Map(), T0);
    expect(plan.steps[0]).toMatchObject({ status: 'failed' });
    expect(plan.steps[0]?.error).toContain('not a list');
    expect(plan.status).toBe('failed');
    expect(plan.events.map((e) => e.type)).toEqual(['step_failed', 'run_failed']);
  });

  it('an approval step nobody decides fails when its timeout passes', () => {
    const def = workflowDefinitionSchema.parse({
      name: 'a',
      steps: [{ id: 'ok', approval: { by: ['admin'], timeout: '1h' } }],
    });
    const run = apply(runOf(def), planRun(def, runOf(def), new Map(), T0), { id: 0 });
    expect(run.steps[0]).toMatchObject({ status: 'waiting', waitUntil: new Date(T0 + 3_600_000).toISOString() });
    expect(planRun(def, run, new Map(), T0 + 3_599_999).changed).toBe(false);
    const late = planRun(def, run, new Map(), T0 + 3_600_000);
    expect(late.steps[0]).toMatchObject({ status: 'failed', error: 'approval timed out' });
    expect(late.status).toBe('failed');
  });

  it('a loop with every starts its next try only once that long has passed after the last one ended', () => {
    const def = workflowDefinitionSchema.parse({
      name: 'l',
      steps: [
        { id: 'poll', loop: { until: '${{ steps.poll.result.ok == true }}', max: 5, every: '1m' }, task: { title: 'Poll' } },
      ],
    });
    const next = { id: 0 };
    let run = apply(runOf(def), planRun(def, runOf(def), new Map(), T0), next);
    const first = new Map([view(1, 'completed', { ok: false })]);
    run = apply(run, planRun(def, run, first, T0 + 5_000), next);
    expect(run.steps[0]).toMatchObject({ status: 'running', taskIds: [1], waitUntil: new Date(T0 + 65_000).toISOString() });
    expect(planRun(def, run, first, T0 + 64_999).changed).toBe(false);
    const again = planRun(def, run, first, T0 + 65_000);
    expect(again.create.map((c) => c.task?.title)).toEqual(['Poll']);
    run = apply(run, again, next);
    const end = planRun(def, run, new Map([...first, view(2, 'completed', { ok: true })]), T0 + 70_000);
    expect(end.steps[0]).toMatchObject({ status: 'completed', result: { ok: true }, taskIds: [1, 2] });
  });
});
