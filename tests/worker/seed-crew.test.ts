import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json, startWorker, type WorkerProcess, waitFor } from './helpers.js';

/** The four workers of a small product team, as a new user starts them from the README. */
const CREW = [
  { id: 'worker_001', name: 'Frontend Dev', caps: 'react,typescript,ui_design' },
  { id: 'worker_002', name: 'Backend Dev', caps: 'python,api_design,database' },
  { id: 'worker_003', name: 'DevOps Engineer', caps: 'docker,kubernetes,ci_cd' },
  { id: 'worker_004', name: 'Security Specialist', caps: 'security,authentication,encryption' },
];

/** One epic per worker, each needing exactly that worker's skills: breakdown turns each into subtasks. */
const EPICS = [
  { title: 'Build the customer dashboard UI', caps: 'react,typescript,ui_design' },
  { title: 'Build the user management REST API', caps: 'python,api_design,database' },
  { title: 'Set up the CI/CD pipeline and Kubernetes deployment', caps: 'docker,kubernetes,ci_cd' },
  { title: 'Implement authentication with encrypted sessions', caps: 'security,authentication,encryption' },
];

describe('the seed crew on a real project', () => {
  let project: ReturnType<typeof freshProject>;
  let workers: WorkerProcess[] = [];
  beforeAll(() => {
    project = freshProject();
  });
  afterAll(() => {
    for (const w of workers) w.child.kill('SIGKILL');
    project.cleanup();
  });

  it('completes every leaf task of an epic per worker with no help', async () => {
    const { dir } = project;
    for (const epic of EPICS) {
      const r = cli(dir, ['add', epic.title, '--estimate', '40h', '-c', epic.caps, '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
    const all = () => json<{ tasks: Task[] }>(cli(dir, ['list', '--limit', '1000', '--json'])).tasks;
    const before = all();
    const parents = new Set(before.map((t) => t.parentId).filter((id) => id !== null));
    const leaves = before.filter((t) => !parents.has(t.id));
    // Each epic was broken down: the crew works on subtasks, not on the epics themselves.
    expect(parents.size).toBeGreaterThanOrEqual(EPICS.length);
    expect(leaves.length).toBeGreaterThan(EPICS.length * 2);

    workers = CREW.map((w) => startWorker(dir, [w.id, w.name, w.caps, '--simulate', '0.2']));
    const done = await waitFor(
      'every leaf task to complete',
      () => {
        const tasks = all();
        const open = tasks.filter((t) => !parents.has(t.id) && t.status !== 'completed');
        return open.length === 0 ? tasks : null;
      },
      90_000,
    ).catch((error: Error) => {
      const stuck = all().filter((t) => !parents.has(t.id) && t.status !== 'completed');
      const status = cli(dir, ['status']).stdout;
      throw new Error(
        `${error.message}: ${stuck.map((t) => `#${t.id} ${t.status} [${t.capabilities.join(',')}]`).join('; ')}\n${status}`,
      );
    });

    // Every leaf was done by a worker that has every capability it asks for.
    const caps = new Map(CREW.map((w) => [w.id, w.caps.split(',')]));
    for (const task of done.filter((t) => !parents.has(t.id))) {
      expect(task.assignee, `#${task.id} ${task.title}`).not.toBeNull();
      expect(caps.get(task.assignee as string)).toEqual(expect.arrayContaining(task.capabilities));
    }
    // The epics followed their subtasks to completion.
    for (const epic of done.filter((t) => t.parentId === null)) expect(epic.status, epic.title).toBe('completed');
    // Each worker worked on its own epic.
    expect(new Set(done.filter((t) => !parents.has(t.id)).map((t) => t.assignee))).toEqual(new Set(caps.keys()));

    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0, 0]);
  }, 150_000);
});
