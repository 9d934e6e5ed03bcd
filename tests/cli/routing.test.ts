import { afterEach, describe, expect, it } from 'vitest';
import type { SystemStatus, TaskDetail } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from './run-cli.js';

/** The crew that sat idle with "Queue 4 ready". */
const CREW: [string, string][] = [
  ['worker_001', 'react,typescript,ui_design'],
  ['worker_002', 'python,api_design,database'],
  ['worker_003', 'docker,kubernetes,ci_cd'],
  ['worker_004', 'security,authentication,encryption'],
];

describe('baton CLI: claim by id, stuck work, subtasks the crew can claim', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const project = () => {
    const p = freshProject();
    cleanups.push(p.cleanup);
    return p.dir;
  };
  /** Each worker of the crew says hello (a claim on an empty queue registers it). */
  const crewArrives = (dir: string) => {
    for (const [id, caps] of CREW) expect(json(cli(dir, ['next', '--worker', id, '--capabilities', caps, '--json']))).toBeNull();
  };

  it('claim ID takes that task with a lease; refusals are coded, exit non-zero and change nothing', () => {
    const dir = project();
    const urgent = json<Task>(cli(dir, ['add', 'Urgent', '-p', 'critical', '--json']));
    const chosen = json<Task>(cli(dir, ['add', 'Chosen', '-c', 'docs', '--json']));
    const blocked = json<Task>(cli(dir, ['add', 'Later', '--depends-on', String(urgent.id), '--json']));

    const claimed = json<Task>(
      cli(dir, ['claim', String(chosen.id), '--worker', 'w1', '-c', 'docs', '--lease', '120', '--json']),
    );
    expect(claimed).toMatchObject({
      id: chosen.id,
      status: 'executing',
      assignee: 'w1',
      lease: { owner: 'w1', token: 1, seconds: 120 },
    });
    const text = cli(dir, ['claim', String(urgent.id), '--worker', 'w2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`claimed #${urgent.id}`);
    expect(text.stdout).toContain('lease: token 1');

    const tasksNow = () => json<{ tasks: Task[] }>(cli(dir, ['export'])).tasks;
    const before = tasksNow();
    const again = cli(dir, ['claim', String(chosen.id), '--worker', 'w2', '--json']);
    expect(again.code).toBe(4);
    expect(JSON.parse(again.stderr || again.stdout).error.code).toBe('illegal_transition');
    const waits = cli(dir, ['claim', String(blocked.id), '--worker', 'w2']);
    expect(waits.code).toBe(4);
    expect(waits.stderr).toContain(`error: task_blocked: cannot claim task ${blocked.id}: it is blocked by #${urgent.id}`);
    const docs = json<Task>(cli(dir, ['add', 'More docs', '-c', 'docs', '--json']));
    const lacks = cli(dir, ['claim', String(docs.id), '--worker', 'w2', '--json']);
    expect(lacks.code).toBe(2);
    expect(JSON.parse(lacks.stderr || lacks.stdout).error.code).toBe('missing_capabilities');
    expect(cli(dir, ['claim', '999', '--worker', 'w2']).code).toBe(3);
    expect(cli(dir, ['claim', 'x', '--worker', 'w2']).code).toBe(2);
    // Only the task added in between differs.
    expect(tasksNow().filter((t) => t.id !== docs.id)).toEqual(before);
  });

  it('status and show say why ready work is not being taken', () => {
    const dir = project();
    crewArrives(dir);
    for (let i = 0; i < 5; i++) json(cli(dir, ['add', `Write docs ${i}`, '-c', 'docs', '--json']));
    const rust = json<Task>(cli(dir, ['add', 'Port to Rust', '-c', 'rust', '--json']));
    json(cli(dir, ['add', 'Rust docs', '-c', 'rust,docs', '--json']));

    const status = json<SystemStatus>(cli(dir, ['status', '--json']));
    expect(status.stuck.unclaimable).toEqual({ tasks: 7, capabilities: { docs: 6, rust: 2 } });
    expect(status.stuck.messages).toEqual(['7 ready tasks need capabilities no online worker has: docs ×6, rust ×2']);
    const text = cli(dir, ['status']).stdout;
    expect(text).toContain('Stuck');
    expect(text).toContain('7 ready tasks need capabilities no online worker has: docs ×6, rust ×2');

    const detail = json<TaskDetail>(cli(dir, ['show', String(rust.id), '--json']));
    expect(detail.waiting).toMatchObject({ reason: 'no_capable_worker', capabilities: ['rust'] });
    expect(cli(dir, ['show', String(rust.id)]).stdout).toMatch(/waiting\s+no online worker has rust/);
  });

  it("an epic broken down on add is worked through by the crew member who has the parent's capabilities", () => {
    const dir = project();
    crewArrives(dir);
    const parent = json<Task>(
      cli(dir, ['add', 'Build the orders REST API', '--estimate', '40h', '-c', 'python,api_design', '--json']),
    );
    expect(parent.status).toBe('executing');
    expect(json<SystemStatus>(cli(dir, ['status', '--json'])).stuck.messages).toEqual([]);
    for (let i = 0; i < 20; i++) {
      const task = json<Task | null>(cli(dir, ['next', '--worker', 'worker_002', '--json']));
      if (!task) break;
      json(cli(dir, ['done', String(task.id), '--worker', 'worker_002', '--json']));
    }
    expect(json<TaskDetail>(cli(dir, ['show', String(parent.id), '--json'])).task.status).toBe('completed');
  });
});
