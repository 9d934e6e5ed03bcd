import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, connect, freshProject, openStore } from './helpers.js';

const EXAMPLE = resolve(import.meta.dirname, '../../docs/examples/release.yaml');

describe('baton mcp: list_workflows', () => {
  let project: ReturnType<typeof freshProject>;
  let agent: Agent;

  beforeAll(async () => {
    project = freshProject();
    const baton = await openStore(project.dir);
    await baton.addWorkflow(readFileSync(EXAMPLE, 'utf8'));
    await baton.close();
    agent = await connect(project.dir, { env: { BATON_WORKER_ID: 'agent-w' } });
  });
  afterAll(async () => {
    await agent?.close();
    project?.cleanup();
  });

  it('lists the registered workflows, and reads one step by step', async () => {
    const all = await agent.call('list_workflows');
    expect(all.isError).toBe(false);
    expect(all.summary).toBe('1 workflow: release v1');
    expect(all.data.workflows).toEqual([expect.objectContaining({ name: 'release', version: 1, steps: 7 })]);

    const one = await agent.call('list_workflows', { name: 'release' });
    expect(one.summary).toBe('release v1: 7 steps — Build, test and publish a release');
    expect(one.data.steps.map((s: { id: string; does: string }) => `${s.id}:${s.does}`)).toEqual([
      'build:task',
      'test:task',
      'approve:approval',
      'publish:task',
      'rollback:workflow',
      'settle:wait',
      'poll:task',
    ]);
    expect(one.data.steps[1]).toMatchObject({ needs: ['build'], capabilities: ['test'] });
    expect(one.data.params.version).toMatchObject({ type: 'string', required: true });
  });

  it('an unknown workflow is a coded error', async () => {
    const r = await agent.call('list_workflows', { name: 'nope' });
    expect(r.isError).toBe(true);
    expect(r.summary).toContain('workflow_not_found');
  });
});

const SMALL = `name: ship
params:
  version: { type: string, required: true }
steps:
  - id: build
    task: { title: "Build \${{ params.version }}" }
  - id: approve
    needs: [build]
    if: \${{ params.version == 'never' }}
    task: { title: Never }
`;

const GATE = `name: gate
steps:
  - id: ok
    approval: { by: [admin] }
  - id: after
    needs: [ok]
    task: { title: After }
`;

describe('baton mcp: run_workflow, workflow_status and approve_step', () => {
  let project: ReturnType<typeof freshProject>;
  let agent: Agent;

  beforeAll(async () => {
    project = freshProject();
    const baton = await openStore(project.dir);
    await baton.addWorkflow(SMALL);
    await baton.addWorkflow(GATE);
    await baton.close();
    agent = await connect(project.dir, { env: { BATON_WORKER_ID: 'agent-w' } });
  });
  afterAll(async () => {
    await agent?.close();
    project?.cleanup();
  });

  it('starts a run whose first step is a task, and reads each step with its tasks', async () => {
    const started = await agent.call('run_workflow', { name: 'ship', params: { version: '1.0.0' } });
    expect(started.isError).toBe(false);
    expect(started.summary).toBe(`started run ${started.data.id} of ship v1`);
    expect(started.data.steps[0]).toMatchObject({
      id: 'build',
      status: 'running',
      tasks: [expect.objectContaining({ title: 'Build 1.0.0' })],
    });
    const status = await agent.call('workflow_status', { run: started.data.id });
    expect(status.isError).toBe(false);
    expect(status.summary).toBe(`run ${started.data.id} of ship: running (build running, approve pending)`);
  });

  it('bad params are a coded error', async () => {
    const bad = await agent.call('run_workflow', { name: 'ship', params: {} });
    expect(bad.isError).toBe(true);
    expect(bad.summary).toContain('invalid_params');
  });

  it('approve_step decides a waiting approval; a step that is not waiting is a coded error', async () => {
    const started = await agent.call('run_workflow', { name: 'gate' });
    expect(started.data.steps[0]).toMatchObject({ id: 'ok', status: 'waiting' });
    const early = await agent.call('approve_step', { run: started.data.id, step: 'after' });
    expect(early.isError).toBe(true);
    expect(early.summary).toContain('step_not_waiting');
    const approved = await agent.call('approve_step', { run: started.data.id, step: 'ok', comment: 'fine' });
    expect(approved.isError).toBe(false);
    expect(approved.summary).toBe(`step ok of run ${started.data.id} completed; run running`);
    expect(approved.data.steps[1]).toMatchObject({ id: 'after', status: 'running' });
    const second = await agent.call('run_workflow', { name: 'gate' });
    const rejected = await agent.call('approve_step', { run: second.data.id, step: 'ok', reject: true });
    expect(rejected.summary).toBe(`step ok of run ${second.data.id} failed; run failed`);
  });
});
