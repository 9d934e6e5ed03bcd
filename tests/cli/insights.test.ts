import { afterEach, describe, expect, it } from 'vitest';
import type { Analytics, Burndown, WorkerDetail } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from './run-cli.js';

const errorOf = (r: { stderr: string }) => (JSON.parse(r.stderr) as { error: { code: string; message: string } }).error;

/** `workers show`, `analytics`, `burndown`, and `depend`/`undepend --if-version`, as users type them. */
describe('baton CLI: a worker, analytics, burndown, guarded dependency edits', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const project = () => {
    const p = freshProject();
    cleanups.push(p.cleanup);
    return p.dir;
  };
  const add = (dir: string, ...args: string[]) => json<Task>(cli(dir, ['add', ...args, '--no-breakdown', '--json']));
  const finish = (dir: string, worker: string) => {
    const t = json<Task>(cli(dir, ['next', '--worker', worker, '--json']));
    json(cli(dir, ['done', String(t.id), '--worker', worker, '--token', String(t.lease?.token), '--json']));
    return t;
  };

  it('shows one worker, the analytics of a range and an epic burndown, in JSON and for people', () => {
    const dir = project();
    // Broken down on creation: an epic with subtasks, the first of them ready.
    const epic = json<Task>(cli(dir, ['add', 'Build a REST API for billing', '--estimate', '5d', '--json']));
    const first = finish(dir, 'w1');

    const worker = json<WorkerDetail>(cli(dir, ['workers', 'show', 'w1', '--json']));
    expect(worker.worker.id).toBe('w1');
    expect(worker.recent.map((t) => t.id)).toEqual([first.id]);
    expect(worker.record).toMatchObject({ completed: 1, failed: 0, successRate: 1 });
    const human = cli(dir, ['workers', 'show', 'w1']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/success rate: 100%/);
    expect(human.stdout).toContain(`#${first.id}`);

    const analytics = json<Analytics>(cli(dir, ['analytics', '--range', '1h', '--json']));
    expect(analytics).toMatchObject({ range: '1h', totals: { completed: 1, failed: 0 } });
    expect(analytics.epics).toEqual([expect.objectContaining({ id: epic.id, finished: 1 })]);
    expect(cli(dir, ['analytics']).stdout).toMatch(/last 24h: 1 completed, 0 failed/);

    const burn = json<Burndown>(cli(dir, ['burndown', String(epic.id), '--json']));
    expect(burn.leaves).toBeGreaterThanOrEqual(3);
    expect(burn.done).toBe(1);
    expect(burn.points.at(-1)?.remaining).toBe(burn.leaves - 1);
    expect(cli(dir, ['burndown', String(epic.id)]).stdout).toContain(
      `1 of ${burn.leaves} leaves done, ${burn.leaves - 1} remaining`,
    );
  }, 180_000);

  it('refuses bad input with coded errors and exit codes', () => {
    const dir = project();
    const range = cli(dir, ['analytics', '--range', '2w', '--json']);
    expect(range.code).toBe(2);
    expect(errorOf(range)).toMatchObject({ code: 'invalid_argument' });
    expect(errorOf(range).message).toMatch(/range: must be one of 1h, 24h, 7d, 30d/);
    const nobody = cli(dir, ['workers', 'show', 'nobody', '--json']);
    expect(nobody.code).toBe(3);
    expect(errorOf(nobody).code).toBe('worker_not_found');
    const lone = add(dir, 'Alone');
    const leaf = cli(dir, ['burndown', String(lone.id), '--json']);
    expect(leaf.code).toBe(2);
    expect(errorOf(leaf).message).toMatch(/has no subtasks/);
  }, 180_000);

  it('depend and undepend with --if-version refuse a task changed since', () => {
    const dir = project();
    const a = add(dir, 'A');
    const b = add(dir, 'B');
    json(cli(dir, ['update', String(b.id), '--title', 'B2', '--json']));
    const stale = cli(dir, ['depend', String(b.id), '--on', String(a.id), '--if-version', String(b.version), '--json']);
    expect(stale.code).toBe(4);
    expect(errorOf(stale).code).toBe('version_mismatch');
    const ok = json<Task>(
      cli(dir, ['depend', String(b.id), '--on', String(a.id), '--if-version', String(b.version + 1), '--json']),
    );
    expect(ok.dependsOn).toEqual([a.id]);
    const gone = cli(dir, ['undepend', String(b.id), '--on', String(a.id), '--if-version', String(b.version), '--json']);
    expect(errorOf(gone).code).toBe('version_mismatch');
    const removed = json<Task>(
      cli(dir, ['undepend', String(b.id), '--on', String(a.id), '--if-version', String(ok.version), '--json']),
    );
    expect(removed.dependsOn).toEqual([]);
  }, 180_000);
});
