import { afterEach, describe, expect, it } from 'vitest';
import type { BreakdownResult, TaskAnalysis, TaskDetail, TaskPage } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from '../cli/run-cli.js';

describe('baton CLI: breakdown', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const project = () => {
    const p = freshProject();
    cleanups.push(p.cleanup);
    return p.dir;
  };

  it('add breaks an epic down and says so; list and show follow the parent', () => {
    const dir = project();
    const r = cli(dir, ['add', 'Build the user management REST API', '--estimate', '40h', '-c', 'python,api_design']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^created #1 \(epic\) and broke it into 6 subtasks: #2 Requirements for the user management REST API, .*#7 API documentation for the user management REST API/,
    );
    const page = json<TaskPage>(cli(dir, ['list', '--parent', '1', '--json']));
    expect(page.total).toBe(6);
    const listed = cli(dir, ['list']).stdout;
    expect(listed).toMatch(/#1 .*Build the user management REST API ▸ subtasks/);
    expect(listed).toMatch(/Implement the user management REST API ⚑ complex/);
    const shown = cli(dir, ['show', '1']).stdout;
    expect(shown).toMatch(/subtasks\s+0\/6 completed/);
    expect(shown).toMatch(/depends on\s+-/);
    const detail = json<TaskDetail>(cli(dir, ['show', '1', '--json']));
    expect(detail.subtasks?.map((s) => s.id)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(detail.blockedBy).toEqual([]);
  });

  it('--no-breakdown keeps it whole; a complex task is flagged', () => {
    const dir = project();
    const whole = json<Task>(cli(dir, ['add', 'Build the billing API', '--estimate', '4d', '--no-breakdown', '--json']));
    expect(whole).toMatchObject({ status: 'queued', complexity: 'epic' });
    const flagged = cli(dir, ['add', 'Build the billing API', '--estimate', '20h']);
    expect(flagged.stdout).toMatch(/complex: consider breaking it down: baton breakdown 2/);
  });

  it('analyze explains; breakdown --dry-run shows the tree and writes nothing; breakdown writes it', () => {
    const dir = project();
    json(cli(dir, ['add', 'Set up CI/CD for the monorepo', '--estimate', '20h', '--json']));
    const analysis = json<TaskAnalysis>(cli(dir, ['analyze', '1', '--json']));
    expect(analysis).toMatchObject({ complexity: 'complex', detected: { pattern: 'devops' } });
    expect(cli(dir, ['analyze', '1']).stdout).toMatch(/#1 is complex \(estimate 20h\)\nWhy\n {2}- estimate 20h is above 12h/);
    expect(cli(dir, ['analyze', 'Migrate everything end-to-end and integrate the ERP and the CRM']).stdout).toMatch(
      /scope words/,
    );

    const dry = cli(dir, ['breakdown', '1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run, nothing written; would split by the devops pattern/);
    expect(dry.stdout).toMatch(/├── 1 Infrastructure design for CI\/CD for the monorepo {2}3h/);
    expect(dry.stdout).toMatch(/4 Monitoring and alerts for .* after 1\n/);
    expect(json<TaskPage>(cli(dir, ['list', '--json'])).total).toBe(1);

    const done = json<BreakdownResult>(cli(dir, ['breakdown', '1', '--json']));
    expect(done.subtasks.map((s) => s.id)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(cli(dir, ['breakdown', '1']).code).toBe(4);
  });

  it('cancel of a parent needs confirmation: --yes in scripts', () => {
    const dir = project();
    json(cli(dir, ['add', 'Build the billing API', '--estimate', '5d', '--json']));
    const refused = cli(dir, ['cancel', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/task 1 has 6 open subtasks; cancel them too\? pass --yes to confirm/);
    expect(json<TaskPage>(cli(dir, ['list', '--status', 'cancelled', '--json'])).total).toBe(0);
    expect(cli(dir, ['cancel', '1', '--yes']).code).toBe(0);
    expect(json<TaskPage>(cli(dir, ['list', '--status', 'cancelled', '--json'])).total).toBe(7);
    // A task without subtasks is cancelled as before.
    json(cli(dir, ['add', 'Small thing', '--json']));
    expect(cli(dir, ['cancel', '8']).code).toBe(0);
  });

  it('refuses an unknown planner', () => {
    const dir = project();
    json(cli(dir, ['add', 'Anything', '--json']));
    const r = cli(dir, ['breakdown', '1', '--planner', 'magic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/planner: unknown planner "magic"/);
  });
});
