// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${{ }} of workflow definitions, written as in a file
import { describe, expect, it } from 'vitest';
import type { Baton, RunDetail } from '../../src/app/baton.js';
import type { WorkflowRun } from '../../src/core/workflow/run.js';
import { type StoreHarness, sleep } from './harness.js';

/** Runs linked to other things: sub-workflows, waits for events, and triggers. */

async function finish(baton: Baton, id: number, result?: unknown): Promise<void> {
  const task = await baton.claimTask(id, { workerId: 'w1' });
  await baton.complete(id, { workerId: 'w1', token: task.lease?.token as number, result });
}

async function failFinally(baton: Baton, id: number): Promise<void> {
  const task = await baton.claimTask(id, { workerId: 'w1' });
  await baton.fail(id, { workerId: 'w1', token: task.lease?.token as number, error: 'child broke' });
}

const tasksOf = (run: RunDetail, step: string) => run.tasks.filter((t) => t.step === step);
const statuses = (run: RunDetail) => Object.fromEntries(run.steps.map((s) => [s.id, s.status]));

/** Sweeps (what a server does every 250 ms) until `check` gives a value, or fails after `ms`. */
async function sweepUntil<T>(baton: Baton, check: () => Promise<T | undefined>, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    await baton.expireLeases();
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(100);
  }
}

const CHILD = `name: child
params:
  version: { type: string, required: true }
steps:
  - id: work
    task: { title: "Child work \${{ params.version }}", retry: { max: 0 } }
`;

const PARENT = `name: parent
params:
  version: { type: string, required: true }
steps:
  - id: prep
    task: { title: Prep }
  - id: sub
    needs: [prep]
    workflow: { name: child, params: { version: "\${{ params.version }}" } }
  - id: after
    needs: [sub]
    task: { title: "After \${{ steps.sub.result.work.result.size }}" }
`;

async function childRun(baton: Baton): Promise<WorkflowRun> {
  const [child] = await baton.listRuns({ name: 'child' });
  if (!child) throw new Error('no child run');
  return child;
}

export function linkedRunContract(store: () => StoreHarness): void {
  describe('sub-workflows, event waits and triggers', () => {
    it('a workflow step runs another workflow with its params and takes its result', async () => {
      const baton = await store().open();
      await baton.addWorkflow(CHILD);
      await baton.addWorkflow(PARENT);
      let run = await baton.startRun('parent', { params: { version: '2.0.0' } });
      await finish(baton, tasksOf(run, 'prep')[0]?.id as number);
      run = await baton.getRun(run.id);
      expect(statuses(run)).toMatchObject({ prep: 'completed', sub: 'running', after: 'pending' });
      const child = await childRun(baton);
      expect(child.params).toEqual({ version: '2.0.0' });
      const childDetail = await baton.getRun(child.id);
      const work = tasksOf(childDetail, 'work')[0];
      expect(work?.title).toBe('Child work 2.0.0');
      // The sub-run's own task stands for it among the step's tasks, under the parent run's task.
      const stand = tasksOf(run, 'sub')[0];
      expect(stand?.id).toBe(child.parentTaskId);
      expect((await baton.getTask(child.parentTaskId as number)).parentId).toBe(run.parentTaskId);
      await finish(baton, work?.id as number, { size: 42 });
      run = await baton.getRun(run.id);
      expect(statuses(run)).toMatchObject({ sub: 'completed', after: 'running' });
      expect(tasksOf(run, 'after')[0]?.title).toBe('After 42');
      await finish(baton, tasksOf(run, 'after')[0]?.id as number);
      expect((await baton.getRun(run.id)).status).toBe('completed');
      expect((await baton.getRun(child.id)).status).toBe('completed');
    });

    it('a failed sub-run fails its step; cancelling the run cancels its sub-runs', async () => {
      const baton = await store().open();
      await baton.addWorkflow(CHILD);
      await baton.addWorkflow(PARENT);
      let run = await baton.startRun('parent', { params: { version: '1.0.0' } });
      await finish(baton, tasksOf(run, 'prep')[0]?.id as number);
      const child = await baton.getRun((await childRun(baton)).id);
      await failFinally(baton, tasksOf(child, 'work')[0]?.id as number);
      run = await baton.getRun(run.id);
      expect(run.status).toBe('failed');
      expect(statuses(run)).toMatchObject({ sub: 'failed', after: 'skipped' });
      expect(run.steps.find((s) => s.id === 'sub')?.error).toContain('child broke');

      const second = await baton.startRun('parent', { params: { version: '1.0.1' } });
      await finish(baton, tasksOf(second, 'prep')[0]?.id as number);
      const [latest] = await baton.listRuns({ name: 'child' });
      await baton.cancelRun(second.id, { reason: 'not today' });
      const cancelled = await baton.getRun(latest?.id as number);
      expect(cancelled.status).toBe('cancelled');
      expect(tasksOf(cancelled, 'work')[0]?.status).toBe('cancelled');
    });

    it('a sub-workflow that is not registered, or that starts itself, fails its step and says why', async () => {
      const baton = await store().open();
      await baton.addWorkflow('name: orphan\nsteps:\n  - id: sub\n    workflow: { name: missing }\n');
      const orphan = await baton.startRun('orphan');
      expect(orphan.status).toBe('failed');
      expect(orphan.steps[0]?.error).toBe('workflow missing is not registered');
      await baton.addWorkflow('name: loop\nsteps:\n  - id: again\n    workflow: { name: loop }\n');
      const loop = await baton.startRun('loop');
      const runs = await baton.listRuns({ name: 'loop' });
      expect(runs).toHaveLength(9);
      const deepest = runs[0] as WorkflowRun;
      expect(deepest.status).toBe('failed');
      expect(deepest.steps[0]?.error).toContain('nest more than 8 deep');
      // The failure climbs back up: every run of the chain fails.
      expect((await baton.getRun(loop.id)).status).toBe('failed');
    });

    it('a wait for an event ends with the first later event that passes its filter', async () => {
      const baton = await store().open();
      await baton.addWorkflow(`name: gate
steps:
  - id: hold
    wait: { event: { type: task.completed, tag: ready, if: "event.task.result.ok == true" } }
  - id: go
    needs: [hold]
    task: { title: "Go after #\${{ steps.hold.result.taskId }}" }
`);
      const before = await baton.createTask({ title: 'Earlier', tags: ['ready'] });
      await finish(baton, before.id, { ok: true });
      let run = await baton.startRun('gate');
      expect(statuses(run)).toEqual({ hold: 'waiting', go: 'pending' });
      const untagged = await baton.createTask({ title: 'Other' });
      await finish(baton, untagged.id, { ok: true });
      const notOk = await baton.createTask({ title: 'Not yet', tags: ['ready'] });
      await finish(baton, notOk.id, { ok: false });
      run = await baton.getRun(run.id);
      expect(statuses(run)).toEqual({ hold: 'waiting', go: 'pending' });
      const ok = await baton.createTask({ title: 'Ready now', tags: ['ready'] });
      await finish(baton, ok.id, { ok: true });
      run = await sweepUntil(baton, async () => {
        const r = await baton.getRun(run.id);
        return r.steps[0]?.status === 'completed' ? r : undefined;
      });
      expect(tasksOf(run, 'go')[0]?.title).toBe(`Go after #${ok.id}`);
    });

    it('a wait for an event with a timeout fails its step when none comes', async () => {
      const baton = await store().open();
      await baton.addWorkflow('name: patient\nsteps:\n  - id: hold\n    wait: { event: { type: task.failed }, timeout: 1s }\n');
      const run = await baton.startRun('patient');
      const ended = await sweepUntil(baton, async () => {
        const r = await baton.getRun(run.id);
        return r.status === 'running' ? undefined : r;
      });
      expect(ended.status).toBe('failed');
      expect(ended.steps[0]?.error).toBe('no task.failed event came within 1s');
    });

    it('an event trigger starts one run per matching event, and never for events of its own runs', async () => {
      const baton = await store().open();
      const early = await baton.createTask({ title: 'Before the trigger', tags: ['nightly'] });
      await finish(baton, early.id);
      await baton.addWorkflow(`name: follow
params:
  source: { type: integer, required: true }
steps:
  - id: echo
    task: { title: "Follow up #\${{ params.source }}", tags: [nightly] }
triggers:
  - event: { type: task.completed, tag: nightly }
    params: { source: "\${{ event.taskId }}" }
`);
      const task = await baton.createTask({ title: 'Nightly build', tags: ['nightly'] });
      await finish(baton, task.id);
      const [run] = await sweepUntil(baton, async () => {
        const runs = await baton.listRuns({ name: 'follow' });
        return runs.length > 0 ? runs : undefined;
      });
      expect(run?.params).toEqual({ source: task.id });
      const detail = await baton.getRun(run?.id as number);
      await finish(baton, tasksOf(detail, 'echo')[0]?.id as number);
      for (let i = 0; i < 5; i++) {
        await baton.expireLeases();
        await sleep(100);
      }
      // The step task carries the tag too: its completion starts nothing; nor did the earlier task.
      expect(await baton.listRuns({ name: 'follow' })).toHaveLength(1);
    });

    it('a cron trigger starts a run when its time comes, once', async () => {
      const baton = await store().open();
      await baton.addWorkflow(`name: tick
steps:
  - id: hold
    wait: { duration: 1s }
triggers:
  - cron: "* * * * * *"
`);
      const first = await sweepUntil(baton, async () => {
        const runs = await baton.listRuns({ name: 'tick' });
        return runs.length > 0 ? runs : undefined;
      });
      expect(first).toHaveLength(1);
      const events = await baton.events({ limit: 10_000 });
      const started = events.find((e) => e.type === 'run_started' && e.data?.workflow === 'tick');
      expect(started?.data).toMatchObject({ trigger: { kind: 'cron', index: 0, cron: '* * * * * *' } });
    });
  });
}
