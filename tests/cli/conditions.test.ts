import { afterEach, describe, expect, it } from 'vitest';
import type { SystemStatus, TaskDetail, TaskPage } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from './run-cli.js';

describe('baton depend --if and the skipped state', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const project = () => {
    const p = freshProject();
    cleanups.push(p.cleanup);
    return p.dir;
  };
  const finish = (dir: string, result: string) => {
    const claimed = json<Task>(cli(dir, ['next', '--worker', 'w1', '--json']));
    json(cli(dir, ['done', String(claimed.id), '--worker', 'w1', '--result', result, '--json']));
    return claimed.id;
  };

  it('runs a dependent only when its condition holds, and lists and shows the skipped ones', () => {
    const dir = project();
    const test = json<Task>(cli(dir, ['add', 'Test', '--json']));
    const deploy = json<Task>(cli(dir, ['add', 'Deploy', '--json']));
    const docs = json<Task>(cli(dir, ['add', 'Docs', '--json']));
    const added = json<Task>(
      cli(dir, ['depend', String(deploy.id), '--on', String(test.id), '--if', 'result.passed == true', '--json']),
    );
    expect(added).toMatchObject({ status: 'blocked', conditions: [{ on: test.id, if: 'result.passed == true' }] });
    const human = cli(dir, ['depend', String(docs.id), '--on', String(test.id), '--if', 'result.coverage >= 90']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('(only if result.coverage >= 90)');

    expect(finish(dir, '{"passed": true, "coverage": 71}')).toBe(test.id);
    expect(json<TaskDetail>(cli(dir, ['show', String(deploy.id), '--json'])).task.status).toBe('queued');
    const skipped = json<TaskPage>(cli(dir, ['list', '--status', 'skipped', '--json']));
    expect(skipped.tasks.map((t) => t.id)).toEqual([docs.id]);
    expect(json<SystemStatus>(cli(dir, ['status', '--json'])).tasks.byStatus).toMatchObject({ skipped: 1 });

    const shown = cli(dir, ['show', String(docs.id)]);
    expect(shown.stdout).toContain(`#${test.id} only if result.coverage >= 90`);
    expect(shown.stdout).toContain(`the condition on #${test.id} (result.coverage >= 90) gave false`);
    const detail = json<TaskDetail>(cli(dir, ['show', String(docs.id), '--json']));
    expect(detail.history.at(-1)).toMatchObject({ type: 'skipped', data: { dependency: test.id, value: false } });

    expect(json<Task>(cli(dir, ['retry', String(docs.id), '--json'])).status).toBe('queued');
  });

  it('refuses a condition that cannot be read, naming where, with exit 2 and nothing changed', () => {
    const dir = project();
    const test = json<Task>(cli(dir, ['add', 'Test', '--json']));
    const deploy = json<Task>(cli(dir, ['add', 'Deploy', '--json']));
    const r = cli(dir, ['depend', String(deploy.id), '--on', String(test.id), '--if', 'result.passed ==', '--json']);
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(/^dependsOn\.0\.if: cannot be read at character \d+/);
    expect(json<TaskDetail>(cli(dir, ['show', String(deploy.id), '--json'])).task).toMatchObject({
      status: 'queued',
      dependsOn: [],
      conditions: [],
    });
  });
});
