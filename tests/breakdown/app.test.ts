import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { BatonError } from '../../src/core/errors.js';
import type { Task } from '../../src/core/types.js';
import { type Project, project } from './helpers.js';

const H = 60;
const ALL_CAPS = ['python', 'api_design', 'analysis', 'database', 'testing', 'documentation', 'review'];

let projects: Project[] = [];
let batons: LocalBaton[] = [];
afterEach(async () => {
  for (const b of batons) await b.close();
  for (const p of projects) p.cleanup();
  projects = [];
  batons = [];
});

async function open(config?: string): Promise<LocalBaton> {
  const p = project();
  projects.push(p);
  if (config) p.write('config.yaml', config);
  const b = await p.open();
  batons.push(b);
  return b;
}

const subtasksOf = async (b: LocalBaton, id: number) => (await b.listTasks({ parentId: id, limit: 1000 })).tasks;

/** A worker claims the next task it can and completes it. */
async function workOne(b: LocalBaton, worker = 'w1'): Promise<Task> {
  const claimed = await b.claim({ workerId: worker, capabilities: ALL_CAPS });
  if (!claimed) throw new Error('nothing to claim');
  return b.complete(claimed.id, { workerId: worker, token: claimed.lease?.token });
}

async function errorOf(p: Promise<unknown>): Promise<BatonError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BatonError) return err;
    throw err;
  }
  throw new Error('expected a BatonError');
}

describe('automatic breakdown on creation', () => {
  it('splits an epic in the same transaction: subtasks with parentId, mapped dependencies and events', async () => {
    const b = await open();
    const parent = await b.createTask({
      title: 'Build the user management REST API',
      estimateMinutes: 40 * H,
      capabilities: ['python', 'api_design'],
      priority: 'high',
      tags: ['users'],
    });
    expect(parent).toMatchObject({ status: 'executing', complexity: 'epic', lease: null, assignee: null });
    const subs = await subtasksOf(b, parent.id);
    expect(subs.map((s) => s.title)).toEqual([
      'Gather requirements for the user management REST API',
      'Design endpoints for the user management REST API',
      'Design the data schema for the user management REST API',
      'Implement the user management REST API',
      'Write tests for the user management REST API',
      'Document the user management REST API',
    ]);
    const [req, design, schema, impl, tests, docs] = subs as [Task, Task, Task, Task, Task, Task];
    expect(parent.dependsOn).toEqual(subs.map((s) => s.id));
    expect(design.dependsOn).toEqual([req.id]);
    expect(schema.dependsOn).toEqual([design.id]);
    expect(impl.dependsOn).toEqual([schema.id]);
    expect(tests.dependsOn).toEqual([impl.id]);
    expect(docs.dependsOn).toEqual([design.id]);
    expect(subs.map((s) => s.status)).toEqual(['queued', 'blocked', 'blocked', 'blocked', 'blocked', 'blocked']);
    expect(subs.reduce((sum, s) => sum + (s.estimateMinutes ?? 0), 0)).toBe(40 * H);
    for (const s of subs) expect(s).toMatchObject({ priority: 'high', tags: ['users'], parentId: parent.id });
    // Exactly the parent's: whoever could claim the parent can claim it (the step's `analysis` label adds nothing).
    expect(req.capabilities).toEqual(['python', 'api_design']);

    const events = await b.events({ taskId: parent.id });
    expect(events.map((e) => e.type)).toEqual(['created', 'broken_down']);
    expect(events[1]?.data).toMatchObject({
      planner: 'rules',
      source: 'pattern',
      pattern: 'api',
      subtasks: subs.map((s) => s.id),
    });
    const childEvents = await b.events({ taskId: req.id });
    expect(childEvents[0]).toMatchObject({ type: 'created', data: { parentId: parent.id, step: 'requirements' } });
  });

  it('never hands the parent itself to a worker', async () => {
    const b = await open();
    const parent = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H });
    const claimed = await b.claimMany({ workerId: 'w1', capabilities: ALL_CAPS, limit: 50 });
    expect(claimed.map((t) => t.id)).not.toContain(parent.id);
    expect((await b.listTasks({ ready: true })).tasks.map((t) => t.id)).not.toContain(parent.id);
    const err = await errorOf(b.complete(parent.id, { workerId: 'w1' }));
    expect(err.code).toBe('not_lease_holder');
  });

  it('--no-breakdown keeps an epic whole', async () => {
    const b = await open();
    const t = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H, noBreakdown: true });
    expect(t).toMatchObject({ status: 'queued', complexity: 'epic' });
    expect(await subtasksOf(b, t.id)).toEqual([]);
  });

  it('complex tasks are split only when the config says "recommended"', async () => {
    const plain = await open();
    const kept = await plain.createTask({ title: 'Build the billing API', estimateMinutes: 20 * H });
    expect(kept).toMatchObject({ status: 'queued', complexity: 'complex' });
    const eager = await open('breakdown:\n  mode: recommended\n');
    const split = await eager.createTask({ title: 'Build the billing API', estimateMinutes: 20 * H });
    expect(split.status).toBe('executing');
    expect((await subtasksOf(eager, split.id)).length).toBe(6);
  });

  it('judges complexity from the text when there is no estimate, and follows a checklist', async () => {
    const b = await open();
    const description = [
      'We are moving the whole platform to the new region end-to-end, and we integrate the new',
      'billing provider and migrate every customer.',
      ...Array.from({ length: 8 }, (_, i) => `- [ ] Move service ${i + 1} and its data`),
    ].join('\n');
    const t = await b.createTask({ title: 'Region move', description });
    expect(t.complexity).toBe('epic');
    const subs = await subtasksOf(b, t.id);
    expect(subs.map((s) => s.title)).toEqual(Array.from({ length: 8 }, (_, i) => `Move service ${i + 1} and its data`));
    expect(subs.every((s) => s.estimateMinutes === null && s.status === 'queued')).toBe(true);
  });

  it('breaks still-epic subtasks down again, each under its own parent', async () => {
    const b = await open();
    const t = await b.createTask({ title: 'Build the partner REST API', estimateMinutes: 150 * H });
    const subs = await subtasksOf(b, t.id);
    const impl = subs.find((s) => s.title === 'Implement the partner REST API') as Task;
    expect(impl).toMatchObject({ status: 'executing', complexity: 'epic', lease: null });
    const inner = await subtasksOf(b, impl.id);
    // The implementation step is split into parts that can run side by side.
    expect(inner.map((i) => i.title)).toEqual([1, 2, 3].map((n) => `Implement partner REST API (part ${n} of 3)`));
    // Each part starts only when what the implementation waited for is done.
    const waitedFor = impl.dependsOn.filter((d) => !inner.some((i) => i.id === d));
    for (const part of inner) {
      expect(part.dependsOn).toEqual(waitedFor);
      expect(part.status).toBe('blocked');
    }
  });

  it('keeps the subtasks of a task scheduled for later until then', async () => {
    const b = await open();
    const runAfter = new Date(Date.now() + 3_600_000).toISOString();
    const t = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H, runAfter });
    const [first] = await subtasksOf(b, t.id);
    expect(first).toMatchObject({ status: 'queued', runAfter });
    expect((await b.listTasks({ ready: true })).total).toBe(0);
  });

  it("gives the parent's own dependencies to the subtasks that start the plan", async () => {
    const b = await open();
    const first = await b.createTask({ title: 'Agree the contract', capabilities: ['analysis'] });
    const t = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H, dependsOn: [first.id] });
    const [req] = await subtasksOf(b, t.id);
    expect(req).toMatchObject({ status: 'blocked', dependsOn: [first.id] });
    await workOne(b);
    expect((await b.getTask((req as Task).id)).status).toBe('queued');
  });
});

describe('baton.breakdown', () => {
  it('a dry run returns the plan and writes nothing', async () => {
    const b = await open();
    const t = await b.createTask({ title: 'Set up CI/CD for the monorepo', estimateMinutes: 20 * H });
    const before = await b.exportData();
    const result = await b.breakdown(t.id, { dryRun: true });
    expect(result).toMatchObject({ dryRun: true, subtasks: [], planner: 'rules', fallbackReason: null });
    expect(result.plan.pattern).toBe('devops');
    expect(result.plan.subtasks.length).toBe(6);
    const after = await b.exportData();
    expect({ ...after, exportedAt: '' }).toEqual({ ...before, exportedAt: '' });
  });

  it('writes the plan and returns the subtasks', async () => {
    const b = await open();
    const t = await b.createTask({ title: 'Set up CI/CD for the monorepo', estimateMinutes: 20 * H });
    const result = await b.breakdown(t.id);
    expect(result.task.status).toBe('executing');
    expect(result.subtasks.map((s) => s.parentId)).toEqual(Array(6).fill(t.id));
    expect(result.task.dependsOn).toEqual(result.subtasks.map((s) => s.id));
  });

  it('refuses work already started or already split', async () => {
    const b = await open();
    const t = await b.createTask({ title: 'Set up CI/CD for the monorepo', estimateMinutes: 20 * H });
    await b.claim({ workerId: 'w1' });
    expect((await errorOf(b.breakdown(t.id))).code).toBe('illegal_transition');
    const epic = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H });
    expect((await errorOf(b.breakdown(epic.id))).code).toBe('illegal_transition');
  });

  it('analyze explains the complexity, the kind of work and the recommendation', async () => {
    const b = await open();
    const t = await b.createTask({ title: 'Add GraphQL resolvers for the catalog', estimateMinutes: 20 * H, noBreakdown: true });
    const a = await b.analyze(t.id);
    expect(a).toMatchObject({ taskId: t.id, complexity: 'complex', basis: 'estimate', breaksDownOnCreate: false });
    expect(a.detected.pattern).toBe('api');
    expect(a.recommendation.action).toBe('consider_breakdown');
    const draft = await b.analyze({ title: 'Fix the footer typo' });
    expect(draft).toMatchObject({ taskId: null, complexity: 'simple' });
  });
});

describe('parents follow their subtasks', () => {
  it('progress is the estimate-weighted mean; the last subtask completes the parent and unblocks its dependents', async () => {
    const b = await open();
    const parent = await b.createTask({ title: 'Build the user management REST API', estimateMinutes: 40 * H });
    const waiting = await b.createTask({ title: 'Announce the new API', dependsOn: [parent.id] });
    expect(waiting.status).toBe('blocked');

    const claimed = (await b.claim({ workerId: 'w1', capabilities: ALL_CAPS })) as Task;
    expect(claimed.estimateMinutes).toBe(240);
    await b.reportProgress(claimed.id, { workerId: 'w1', progress: 50 });
    expect((await b.getTask(parent.id)).progress).toBe(5); // 240 × 50% of 2400
    await b.complete(claimed.id, { workerId: 'w1' });
    expect((await b.getTask(parent.id)).progress).toBe(10);

    for (let i = 0; i < 4; i++) await workOne(b);
    const almost = await b.getTask(parent.id);
    expect(almost.status).toBe('executing');
    expect(almost.progress).toBe(80); // all but the 8h of tests (480 of 2400)
    expect((await b.getTask(waiting.id)).status).toBe('blocked');

    await workOne(b);
    const done = await b.getTask(parent.id);
    expect(done).toMatchObject({ status: 'completed', progress: 100 });
    expect(done.completedAt).not.toBeNull();
    expect((await b.getTask(waiting.id)).status).toBe('queued');
    const types = (await b.events({ taskId: parent.id })).map((e) => e.type);
    expect(types.at(-1)).toBe('completed');
  });

  it('cancelling a parent cancels its open subtasks, nested ones too, and leaves finished ones', async () => {
    const b = await open();
    const parent = await b.createTask({ title: 'Build the partner REST API', estimateMinutes: 150 * H });
    const first = await workOne(b);
    const cancelled = await b.cancelTask(parent.id, { reason: 'scope cut' });
    expect(cancelled.status).toBe('cancelled');
    const subs = await subtasksOf(b, parent.id);
    expect(subs.find((s) => s.id === first.id)?.status).toBe('completed');
    expect(subs.filter((s) => s.id !== first.id).every((s) => s.status === 'cancelled')).toBe(true);
    const impl = subs.find((s) => s.title === 'Implement the partner REST API') as Task;
    expect((await subtasksOf(b, impl.id)).every((s) => s.status === 'cancelled')).toBe(true);
    const ev = await b.events({ taskId: impl.id });
    expect(ev.at(-1)).toMatchObject({ type: 'cancelled', data: { reason: `parent #${parent.id} cancelled` } });
  });

  it('a cancelled subtask weighs nothing; cancelling all of them cancels the parent', async () => {
    const b = await open();
    const description = '- [ ] one\n- [ ] two\n- [ ] three';
    const parent = await b.createTask({ title: 'Chores', description, estimateMinutes: 30 * H });
    const [one, two, three] = (await subtasksOf(b, parent.id)) as [Task, Task, Task];
    await b.cancelTask(one.id);
    expect((await b.getTask(parent.id)).status).toBe('executing');
    await b.cancelTask(two.id);
    await b.cancelTask(three.id);
    expect((await b.getTask(parent.id)).status).toBe('cancelled');

    const other = await b.createTask({ title: 'More chores', description, estimateMinutes: 30 * H });
    const [a] = (await subtasksOf(b, other.id)) as [Task];
    await b.cancelTask(a.id);
    await workOne(b);
    expect((await b.getTask(other.id)).progress).toBe(50);
    await workOne(b);
    expect((await b.getTask(other.id)).status).toBe('completed');
  });

  it('a skipped subtask counts as done: the parent completes when the others have', async () => {
    const b = await open();
    const description = '- [ ] one\n- [ ] two\n- [ ] three';
    const parent = await b.createTask({ title: 'Chores', description, estimateMinutes: 30 * H });
    const [one, , three] = (await subtasksOf(b, parent.id)) as [Task, Task, Task];
    await b.addDependencies(three.id, [{ id: one.id, if: 'result.needed == true' }]);
    for (let i = 0; i < 2; i++) {
      const claimed = (await b.claim({ workerId: 'w1', capabilities: ALL_CAPS })) as Task;
      await b.complete(claimed.id, { workerId: 'w1', result: { needed: false } });
    }
    expect((await b.getTask(three.id)).status).toBe('skipped');
    expect(await b.getTask(parent.id)).toMatchObject({ status: 'completed', progress: 100 });
  });

  it('a paused parent resumes to following its subtasks, not to the queue', async () => {
    const b = await open();
    const parent = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H });
    expect((await b.pauseTask(parent.id)).status).toBe('paused');
    expect(await b.resumeTask(parent.id)).toMatchObject({ status: 'executing', lease: null });
  });

  it('retrying a cancelled parent reopens its subtasks', async () => {
    const b = await open();
    const parent = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H });
    await workOne(b);
    await b.cancelTask(parent.id);
    const retried = await b.retryTask(parent.id);
    expect(retried).toMatchObject({ status: 'executing', lease: null });
    const subs = await subtasksOf(b, parent.id);
    expect(subs.map((s) => s.status)).toEqual(['completed', 'queued', 'blocked', 'blocked', 'blocked', 'blocked']);
    expect(retried.progress).toBeGreaterThan(0);
  });

  it('refuses to detach a subtask with undepend', async () => {
    const b = await open();
    const parent = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H });
    const err = await errorOf(b.removeDependency(parent.id, parent.dependsOn[0] as number));
    expect(err.message).toMatch(/is a subtask of task/);
  });
});

describe('hold', () => {
  it('creates a task no worker can claim, not broken down, until it is resumed', async () => {
    const b = await open();
    const held = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H, hold: true });
    expect(held).toMatchObject({ status: 'paused', pausedFrom: 'queued', complexity: 'epic' });
    expect(await subtasksOf(b, held.id)).toEqual([]);
    expect(await b.claimMany({ workerId: 'w1', capabilities: ALL_CAPS, limit: 10 })).toEqual([]);
    expect((await b.events({ taskId: held.id })).map((e) => [e.type, e.data?.hold ?? null])).toEqual([
      ['created', null],
      ['paused', true],
    ]);
    // Edited while held, then released.
    await b.updateTask(held.id, { title: 'Build the billing REST API' });
    expect((await b.resumeTask(held.id)).status).toBe('queued');
    expect((await b.claim({ workerId: 'w1', capabilities: ALL_CAPS }))?.id).toBe(held.id);
  });

  it('a held task can be broken down by a person; its subtasks are then claimable', async () => {
    const b = await open();
    const held = await b.createTask({ title: 'Build the billing API', estimateMinutes: 30 * H, hold: true });
    const result = await b.breakdown(held.id);
    expect(result.task.status).toBe('executing');
    expect(result.subtasks.length).toBe(6);
    expect((await b.claim({ workerId: 'w1', capabilities: ALL_CAPS }))?.parentId).toBe(held.id);
    // A parent paused while its subtasks run is not split again.
    await b.pauseTask(held.id);
    expect((await errorOf(b.breakdown(held.id))).code).toBe('illegal_transition');
  });

  it('refuses a held recurring task, writing nothing', async () => {
    const b = await open();
    const err = await errorOf(b.createTask({ title: 'Nightly report', every: '0 2 * * *', hold: true }));
    expect(err).toMatchObject({ code: 'invalid_argument', details: { field: 'hold' } });
    expect((await b.listTasks({})).total).toBe(0);
  });
});
