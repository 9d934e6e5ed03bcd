import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskDetail } from '../../src/app/baton.js';
import type { Task, WorkerView } from '../../src/core/types.js';
import { cli, freshProject, json } from './run-cli.js';

let project: ReturnType<typeof freshProject>;
beforeEach(() => {
  project = freshProject();
});
afterEach(() => project.cleanup());

const run = (...args: string[]) => cli(project.dir, args);
const errorOf = (r: { stderr: string }) => (JSON.parse(r.stderr) as { error: { code: string } }).error.code;
/** Registers a worker the way a person does: by asking for work with its capabilities. */
const register = (id: string, caps: string) => json(run('next', '--worker', id, '-c', caps, '--json'));

describe('baton assign and baton add --assign', () => {
  it('both refuse a worker that never registered (exit 3), creating nothing', () => {
    const added = run('add', 'Schema', '-c', 'database', '--assign', 'ghost', '--json');
    expect(added.code).toBe(3);
    expect(errorOf(added)).toBe('worker_not_found');
    expect(json<{ total: number }>(run('list', '--json')).total).toBe(0);
    const task = json<Task>(run('add', 'Schema', '-c', 'database', '--json'));
    const assigned = run('assign', String(task.id), 'ghost', '--json');
    expect(assigned.code).toBe(3);
    expect(errorOf(assigned)).toBe('worker_not_found');
  });

  it('both refuse a worker lacking the capabilities (incapable_worker, exit 4) unless --force', () => {
    register('worker_001', 'react,typescript,ui_design');
    const added = run('add', 'Schema', '-c', 'database', '--assign', 'worker_001', '--json');
    expect(added.code).toBe(4);
    expect(errorOf(added)).toBe('incapable_worker');
    expect(json<{ total: number }>(run('list', '--json')).total).toBe(0);
    const forced = json<Task>(run('add', 'Schema', '-c', 'database', '--assign', 'worker_001', '--force', '--json'));
    expect(forced).toMatchObject({ status: 'assigned', reservedFor: 'worker_001' });

    const task = json<Task>(run('add', 'Index', '-c', 'database', '--json'));
    const assigned = run('assign', String(task.id), 'worker_001');
    expect(assigned.code).toBe(4);
    expect(assigned.stderr).toContain('incapable_worker');
    expect(json<TaskDetail>(run('show', String(task.id), '--json')).task.reservedFor).toBeNull();
    const forcedAssign = json<Task>(run('assign', String(task.id), 'worker_001', '--force', '--json'));
    expect(forcedAssign).toMatchObject({ status: 'assigned', reservedFor: 'worker_001' });

    const fits = json<Task>(run('add', 'Button', '-c', 'react', '--assign', 'worker_001', '--json'));
    expect(fits).toMatchObject({ status: 'assigned', reservedFor: 'worker_001' });
  });
});

describe('baton unassign', () => {
  it('sends a reserved task back to the shared queue, with the reason in its history', () => {
    register('worker_002', 'python,api_design,database');
    const task = json<Task>(run('add', 'API', '-c', 'python', '--assign', 'worker_002', '--json'));
    const freed = json<Task>(run('unassign', String(task.id), '--reason', 'on leave', '--json'));
    expect(freed).toMatchObject({ status: 'queued', reservedFor: null, assignee: null });
    const detail = json<TaskDetail>(run('show', String(task.id), '--json'));
    expect(detail.history.at(-1)).toMatchObject({
      type: 'unassigned',
      data: { worker: 'worker_002', reason: 'requested', note: 'on leave' },
    });
    const again = run('unassign', String(task.id), '--json');
    expect(again.code).toBe(4);
    expect(errorOf(again)).toBe('illegal_transition');
    expect(run('unassign', '999', '--json').code).toBe(3);
  });
});

describe('every local view sweeps expired leases first', () => {
  it('list, show, status and workers agree once a lease has run out', async () => {
    const task = json<Task>(run('add', 'Abandoned', '--json'));
    const claimed = json<Task>(run('next', '--worker', 'w1', '--lease', '1', '--json'));
    expect(claimed).toMatchObject({ id: task.id, status: 'executing' });
    await new Promise((r) => setTimeout(r, Date.parse(claimed.lease?.expiresAt as string) - Date.now() + 200));
    const workers = json<WorkerView[]>(run('workers', '--json'));
    expect(workers.find((w) => w.id === 'w1')?.currentTasks).toEqual([]);
    const listed = json<{ tasks: Task[] }>(run('list', '--json')).tasks;
    expect(listed.find((t) => t.id === task.id)).toMatchObject({ status: 'queued', lease: null });
    expect(json<TaskDetail>(run('show', String(task.id), '--json')).task).toMatchObject({ status: 'queued', retries: 1 });
    const status = json<{ tasks: { byStatus: Record<string, number> } }>(run('status', '--json'));
    expect(status.tasks.byStatus).toMatchObject({ executing: 0, queued: 1 });
  });
});
