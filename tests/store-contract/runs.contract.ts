import { describe, expect, it } from 'vitest';
import type { Baton, RunDetail } from '../../src/app/baton.js';
import { expectRefusedUnchanged, refusal, type StoreHarness, sleep, waitPast } from './harness.js';

/** Claims task `id` by id and completes it with `result`. */
async function finish(baton: Baton, id: number, result?: unknown): Promise<void> {
  const task = await baton.claimTask(id, { workerId: 'w1' });
  await baton.complete(id, { workerId: 'w1', token: task.lease?.token as number, result });
}

/** Claims task `id` and fails it for good (its definition allows no retry). */
async function failFinally(baton: Baton, id: number): Promise<void> {
  const task = await baton.claimTask(id, { workerId: 'w1' });
  await baton.fail(id, { workerId: 'w1', token: task.lease?.token as number, error: 'exit 1' });
}

const stepOf = (run: RunDetail, id: string) => run.steps.find((s) => s.id === id);
const tasksOf = (run: RunDetail, step: string) => run.tasks.filter((t) => t.step === step);
const statuses = (run: RunDetail) => Object.fromEntries(run.steps.map((s) => [s.id, s.status]));

const RELEASE = `name: release
params:
  version: { type: string, required: true, pattern: '^\\d+\\.\\d+\\.\\d+$' }
  targets: { type: array, default: [linux, macos, windows] }
  publish: { type: boolean, default: false }
steps:
  - id: build
    foreach: \${{ params.targets }}
    max_parallel: 2
    task:
      title: Build \${{ params.version }} for \${{ item }}
      command: make TARGET=\${{ item }}
      input: { target: "\${{ item }}" }
  - id: test
    needs: [build]
    task: { title: "Test \${{ params.version }} on \${{ steps.build.result.size() }} builds" }
  - id: publish
    needs: [test]
    if: \${{ params.publish }}
    task: { title: Publish }
  - id: announce
    needs: [publish]
    task: { title: Announce }
  - id: report
    needs: [test]
    task: { title: "Report \${{ steps.test.result.passed }}" }
`;

const FAILING = `name: deploy
steps:
  - id: deploy
    task: { title: Deploy, retry: { max: 0 } }
  - id: verify
    needs: [deploy]
    task: { title: Verify }
  - id: rollback
    needs: [deploy]
    if: \${{ steps.deploy.status == 'failed' }}
    task: { title: Roll back }
on_failure: [rollback]
`;

const GATED = `name: gated
steps:
  - id: build
    task: { title: Build }
  - id: approve
    needs: [build]
    approval: { by: [admin], message: Ship it? }
  - id: board
    needs: [build]
    approval: { by: [release_board] }
  - id: ship
    needs: [approve]
    task: { title: Ship }
`;

const POLL = `name: poll
steps:
  - id: check
    loop: { until: "\${{ steps.check.result.healthy == true }}", max: 3 }
    task: { title: Check }
`;

/** Workflow runs: steps become tasks, and the run follows them to its end. */
export function runContract(store: () => StoreHarness): void {
  describe('workflow runs', () => {
    it('runs foreach items in parallel up to max_parallel, fans in, skips a false if and what needs only it', async () => {
      const baton = await store().open();
      await baton.addWorkflow(RELEASE);
      let run = await baton.startRun('release', { params: { version: '1.2.3' } });
      expect(run).toMatchObject({
        workflow: 'release',
        version: 1,
        status: 'running',
        params: { version: '1.2.3', publish: false },
      });
      expect(run.params.targets).toEqual(['linux', 'macos', 'windows']);
      // Two of three items at once, each a subtask of the run's task, tagged with the run and step.
      let builds = tasksOf(run, 'build');
      expect(builds.map((t) => t.title)).toEqual(['Build 1.2.3 for linux', 'Build 1.2.3 for macos']);
      const first = await baton.getTask(builds[0]?.id as number);
      expect(first).toMatchObject({ parentId: run.parentTaskId, command: 'make TARGET=linux', input: { target: 'linux' } });
      expect(first.tags).toEqual(expect.arrayContaining([`run:${run.id}`, 'step:build']));
      expect(statuses(run)).toMatchObject({ build: 'running', test: 'pending' });

      await finish(baton, builds[0]?.id as number, { os: 'linux' });
      run = await baton.getRun(run.id);
      builds = tasksOf(run, 'build');
      expect(builds.map((t) => t.title)).toEqual(['Build 1.2.3 for linux', 'Build 1.2.3 for macos', 'Build 1.2.3 for windows']);
      await finish(baton, builds[1]?.id as number, { os: 'macos' });
      await finish(baton, builds[2]?.id as number, { os: 'windows' });

      run = await baton.getRun(run.id);
      expect(stepOf(run, 'build')).toMatchObject({
        status: 'completed',
        result: [{ os: 'linux' }, { os: 'macos' }, { os: 'windows' }],
      });
      const test = tasksOf(run, 'test');
      expect(test.map((t) => t.title)).toEqual(['Test 1.2.3 on 3 builds']);
      await finish(baton, test[0]?.id as number, { passed: true });

      run = await baton.getRun(run.id);
      expect(statuses(run)).toMatchObject({ test: 'completed', publish: 'skipped', announce: 'skipped', report: 'running' });
      expect(tasksOf(run, 'report').map((t) => t.title)).toEqual(['Report true']);
      await finish(baton, tasksOf(run, 'report')[0]?.id as number);
      run = await baton.getRun(run.id);
      expect(run.status).toBe('completed');
      expect(run.finishedAt).not.toBeNull();
      expect((await baton.getTask(run.parentTaskId as number)).status).toBe('completed');
      const types = (await baton.events()).map((e) => e.type);
      expect(types).toContain('run_started');
      expect(types).toContain('run_completed');
      const skipped = (await baton.events()).filter((e) => e.type === 'step_skipped').map((e) => e.data?.step);
      expect(skipped).toEqual(['publish', 'announce']);
      // Each step started once.
      const started = (await baton.events()).filter((e) => e.type === 'step_started').map((e) => e.data?.step);
      expect(started.sort()).toEqual(['build', 'report', 'test']);
      expect(await baton.listRuns({ name: 'release', status: 'completed' })).toEqual([expect.objectContaining({ id: run.id })]);
      expect(await baton.listRuns({ status: 'running' })).toEqual([]);
    });

    it('refuses bad params and an unknown workflow with a coded error, storing nothing', async () => {
      const baton = await store().open();
      await baton.addWorkflow(RELEASE);
      const missing = await expectRefusedUnchanged(baton, () => baton.startRun('release', { params: {} }), 'invalid_params');
      expect(missing.message).toContain('param "version" is required');
      const pattern = await expectRefusedUnchanged(
        baton,
        () => baton.startRun('release', { params: { version: 'v1' } }),
        'invalid_params',
      );
      expect(pattern.message).toContain('does not match the pattern');
      const type = await expectRefusedUnchanged(
        baton,
        () => baton.startRun('release', { params: { version: '1.0.0', publish: 'maybe' } }),
        'invalid_params',
      );
      expect(type.message).toContain('must be a boolean');
      await expectRefusedUnchanged(
        baton,
        () => baton.startRun('release', { params: { version: '1.0.0', nope: 1 } }),
        'invalid_params',
      );
      await expectRefusedUnchanged(baton, () => baton.startRun('nothing'), 'workflow_not_found');
      expect(await baton.listRuns()).toEqual([]);
      expect((await refusal(baton.getRun(999))).code).toBe('run_not_found');
      // A param given as text is read as its declared type.
      const run = await baton.startRun('release', { params: { version: '1.0.0', publish: 'true', targets: '["arm"]' } });
      expect(run.params).toMatchObject({ publish: true, targets: ['arm'] });
    });

    it('a step failing for good fails the run, skips what needs it, and runs the on_failure steps', async () => {
      const baton = await store().open();
      await baton.addWorkflow(FAILING);
      let run = await baton.startRun('deploy');
      expect(statuses(run)).toEqual({ deploy: 'running', verify: 'pending', rollback: 'pending' });
      await failFinally(baton, tasksOf(run, 'deploy')[0]?.id as number);
      run = await baton.getRun(run.id);
      expect(statuses(run)).toEqual({ deploy: 'failed', verify: 'skipped', rollback: 'running' });
      expect(run.status).toBe('running');
      await finish(baton, tasksOf(run, 'rollback')[0]?.id as number);
      run = await baton.getRun(run.id);
      expect(run.status).toBe('failed');
      expect(run.error).toContain('deploy');
      expect((await baton.getTask(run.parentTaskId as number)).status).toBe('failed');
      expect((await baton.events()).some((e) => e.type === 'run_failed')).toBe(true);

      // When nothing fails, the on_failure steps are skipped.
      let ok = await baton.startRun('deploy');
      await finish(baton, tasksOf(ok, 'deploy')[0]?.id as number);
      ok = await baton.getRun(ok.id);
      await finish(baton, tasksOf(ok, 'verify')[0]?.id as number);
      ok = await baton.getRun(ok.id);
      expect(statuses(ok)).toEqual({ deploy: 'completed', verify: 'completed', rollback: 'skipped' });
      expect(ok.status).toBe('completed');
    });

    it('cancelling a run cancels its open tasks and unfinished steps; a finished run cannot be cancelled', async () => {
      const baton = await store().open();
      await baton.addWorkflow(RELEASE);
      const run = await baton.startRun('release', { params: { version: '2.0.0' } });
      const builds = tasksOf(run, 'build');
      const cancelled = await baton.cancelRun(run.id, { reason: 'wrong version' });
      expect(cancelled.status).toBe('cancelled');
      expect(statuses(cancelled)).toMatchObject({ build: 'cancelled', test: 'cancelled' });
      for (const t of builds) expect((await baton.getTask(t.id)).status).toBe('cancelled');
      expect((await baton.getTask(run.parentTaskId as number)).status).toBe('cancelled');
      expect((await baton.events()).find((e) => e.type === 'run_cancelled')?.data).toMatchObject({ reason: 'wrong version' });
      expect((await refusal(baton.cancelRun(run.id))).code).toBe('run_finished');
      // Nothing more starts after a cancel.
      await sleep(50);
      expect((await baton.getRun(run.id)).tasks).toHaveLength(2);
    });

    it('an approval step waits for a decision by one of its roles: approved, the run goes on; rejected, it fails', async () => {
      const baton = await store().open();
      await baton.addWorkflow(GATED);
      let run = await baton.startRun('gated');
      await finish(baton, tasksOf(run, 'build')[0]?.id as number);
      run = await baton.getRun(run.id);
      expect(stepOf(run, 'approve')?.status).toBe('waiting');
      expect(tasksOf(run, 'ship')).toEqual([]);
      // Only a role the step names may decide it; a step that is no approval cannot be approved.
      expect((await refusal(baton.approveStep(run.id, 'managers'))).code).toBe('step_not_found');
      expect((await refusal(baton.approveStep(run.id, 'build'))).code).toBe('step_not_waiting');
      expect((await refusal(baton.approveStep(run.id, 'board'))).code).toBe('forbidden');
      run = await baton.approveStep(run.id, 'approve', { comment: 'looks good' });
      expect(stepOf(run, 'approve')).toMatchObject({
        status: 'completed',
        decision: { approved: true, role: 'admin', comment: 'looks good' },
      });
      expect(tasksOf(run, 'ship').map((t) => t.title)).toEqual(['Ship']);
      expect((await refusal(baton.approveStep(run.id, 'approve'))).code).toBe('step_not_waiting');
      const approved = (await baton.events()).find((e) => e.type === 'step_approved');
      expect(approved?.data).toMatchObject({ run: run.id, step: 'approve', comment: 'looks good' });

      let other = await baton.startRun('gated');
      await finish(baton, tasksOf(other, 'build')[0]?.id as number);
      other = await baton.approveStep(other.id, 'approve', { reject: true, comment: 'not now' });
      expect(stepOf(other, 'approve')).toMatchObject({ status: 'failed', error: expect.stringContaining('not now') });
      expect(statuses(other)).toMatchObject({ ship: 'skipped', board: 'waiting' });
      // The run ends once every step has: here the board's approval still waits.
      expect(other.status).toBe('running');
    });

    it('a loop step repeats its task until its condition holds, and fails after max tries without it', async () => {
      const baton = await store().open();
      await baton.addWorkflow(POLL);
      let run = await baton.startRun('poll');
      expect(tasksOf(run, 'check').map((t) => t.title)).toEqual(['Check']);
      await finish(baton, tasksOf(run, 'check')[0]?.id as number, { healthy: false });
      run = await baton.getRun(run.id);
      expect(tasksOf(run, 'check').map((t) => t.title)).toEqual(['Check', 'Check']);
      await finish(baton, tasksOf(run, 'check')[1]?.id as number, { healthy: true });
      run = await baton.getRun(run.id);
      expect(stepOf(run, 'check')).toMatchObject({ status: 'completed', result: { healthy: true } });
      expect(run.status).toBe('completed');

      let never = await baton.startRun('poll');
      for (let i = 0; i < 3; i++) {
        await finish(baton, tasksOf(never, 'check')[i]?.id as number, { healthy: false });
        never = await baton.getRun(never.id);
      }
      expect(tasksOf(never, 'check')).toHaveLength(3);
      expect(stepOf(never, 'check')).toMatchObject({ status: 'failed', error: 'until did not hold after 3 iterations' });
      expect(never.status).toBe('failed');
    });

    it('a wait step ends once its duration has passed', async () => {
      const baton = await store().open();
      await baton.addWorkflow(
        'name: pause\nsteps:\n  - id: hold\n    wait: { duration: 1s }\n  - id: after\n    needs: [hold]\n    task: { title: After }\n',
      );
      let run = await baton.startRun('pause');
      expect(stepOf(run, 'hold')?.status).toBe('waiting');
      await waitPast(baton, stepOf(run, 'hold')?.waitUntil as string);
      run = await baton.getRun(run.id);
      expect(stepOf(run, 'hold')?.status).toBe('completed');
      expect(tasksOf(run, 'after').map((t) => t.title)).toEqual(['After']);
    });
  });
}
