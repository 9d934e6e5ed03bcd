import { afterEach, describe, expect, it } from 'vitest';
import type {
  BreakdownAllResult,
  BreakdownResult,
  ComplexityOverview,
  TaskAnalysis,
  TaskDetail,
  TaskPage,
} from '../../src/app/baton.js';
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
      /^created #1 \(epic\) and broke it into 6 subtasks: #2 Gather requirements for the user management REST API, .*#7 Document the user management REST API/,
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

  it('add --hold creates a task no worker claims until resume', () => {
    const dir = project();
    const r = cli(dir, ['add', 'Build the billing API', '--estimate', '4d', '--hold']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on hold: no worker claims it until baton resume 1/);
    expect(json<Task>(cli(dir, ['add', 'Held too', '--hold', '--json']))).toMatchObject({
      status: 'paused',
      pausedFrom: 'queued',
    });
    expect(json<TaskPage>(cli(dir, ['list', '--ready', '--json'])).total).toBe(0);
    expect(cli(dir, ['resume', '1']).code).toBe(0);
    expect(json<TaskPage>(cli(dir, ['list', '--ready', '--json'])).tasks.map((t) => t.id)).toEqual([1]);
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
    const several = json<TaskAnalysis>(
      cli(dir, ['analyze', 'Build a user authentication system with OAuth, password reset and admin dashboard', '--json']),
    );
    expect(several.deliverables).toHaveLength(3);
    expect(cli(dir, ['analyze', 'Add CSV export, PDF export and scheduled reports']).stdout).toMatch(
      /Deliverables {2}3: .*CSV export.*; .*PDF export.*; .*scheduled reports.* — one subtask each/,
    );

    const dry = cli(dir, ['breakdown', '1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run, nothing written; would split by the devops pattern/);
    expect(dry.stdout).toMatch(/├── 1 Design the infrastructure for CI\/CD for the monorepo {2}3h/);
    expect(dry.stdout).toMatch(/4 Set up monitoring and alerts for .* after 1\n/);
    expect(json<TaskPage>(cli(dir, ['list', '--json'])).total).toBe(1);

    const done = json<BreakdownResult>(cli(dir, ['breakdown', '1', '--json']));
    expect(done.subtasks.map((s) => s.id)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(cli(dir, ['breakdown', '1']).code).toBe(4);
  });

  it("the README's example: breakdown --dry-run of a task broken down already shows its tree, writing nothing", () => {
    const dir = project();
    json(cli(dir, ['add', 'Build the user management REST API', '--estimate', '40h', '-c', 'python,api_design', '--json']));
    const before = json<TaskPage>(cli(dir, ['list', '--json'])).total;
    const dry = cli(dir, ['breakdown', '1', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /^#1 Build the user management REST API — broken down already into 6 subtasks \(dry run, nothing written\):/,
    );
    expect(dry.stdout).toMatch(
      /├── #2 Gather requirements for the user management REST API {2}4h {2}\[python, api_design\] queued/,
    );
    expect(dry.stdout).toMatch(/└── #7 Document the user management REST API .* after #3/);
    const result = json<BreakdownResult>(cli(dir, ['breakdown', '1', '--dry-run', '--json']));
    expect(result).toMatchObject({ dryRun: true, existing: true, plan: { source: 'pattern', pattern: 'api' } });
    expect(result.subtasks.map((s) => s.id)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(result.plan.subtasks[2]?.dependsOn).toEqual([1]);
    expect(json<TaskPage>(cli(dir, ['list', '--json'])).total).toBe(before);
    // Without --dry-run it is still refused: a task is split once.
    expect(cli(dir, ['breakdown', '1']).code).toBe(4);
  });

  it('show --tree prints every level of subtasks; status counts parents apart from executing work', () => {
    const dir = project();
    json(cli(dir, ['add', 'Build the billing REST API', '--estimate', '20d', '--json']));
    const tree = json<{ tree: Task[] }>(cli(dir, ['show', '1', '--tree', '--json'])).tree;
    const nested = tree.filter((t) => t.parentId !== 1);
    expect(nested.length).toBeGreaterThan(0);
    const text = cli(dir, ['show', '1', '--tree']).stdout;
    for (const t of tree) expect(text).toContain(`#${t.id} ${t.title}`);
    const inner = nested[0] as Task;
    expect(text).toMatch(new RegExp(`│ {3}├── #${inner.id} `));

    const parents = 1 + new Set(nested.map((t) => t.parentId)).size;
    const claimed = json<Task>(cli(dir, ['next', '--worker', 'w1', '--capabilities', 'analysis', '--json']));
    expect(claimed.parentId).toBe(1);
    const status = cli(dir, ['status']).stdout;
    expect(status).toMatch(new RegExp(`executing 1 .*in progress via subtasks ${parents}`));
    expect(
      json<{ tasks: { byStatus: { executing: number }; inProgressViaSubtasks: number } }>(cli(dir, ['status', '--json'])).tasks,
    ).toMatchObject({
      byStatus: { executing: parents + 1 },
      inProgressViaSubtasks: parents,
    });
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

  it('analyze --all scores the open work; breakdown --all splits what scores at the threshold', () => {
    const dir = project();
    const small = json<Task>(cli(dir, ['add', 'Fix the footer typo', '--estimate', '30m', '--json']));
    const big = json<Task>(cli(dir, ['add', 'Rebuild the reporting pipeline', '--estimate', '4d', '--no-breakdown', '--json']));
    const report = json<ComplexityOverview>(cli(dir, ['analyze', '--all', '--json']));
    expect(report.tasks.map((t) => [t.id, t.score])).toEqual([
      [big.id, 8],
      [small.id, 1],
    ]);
    expect(report.toBreakDown).toEqual([big.id]);
    const text = cli(dir, ['analyze', '--all']).stdout;
    expect(text).toMatch(/SCORE +ID +STATUS +COMPLEXITY +TITLE/);
    expect(text).toMatch(/1 of 2 open tasks score 7 or more: break them down with baton breakdown --all --threshold 7/);
    const dry = json<BreakdownAllResult>(cli(dir, ['breakdown', '--all', '--dry-run', '--json']));
    expect(dry).toMatchObject({ dryRun: true, results: [{ id: big.id, error: null }] });
    expect(json<TaskPage>(cli(dir, ['list', '--parent', String(big.id), '--json'])).total).toBe(0);
    expect(cli(dir, ['breakdown', '--all', '--threshold', '8']).stdout).toMatch(
      new RegExp(`#${big.id} Rebuild the reporting pipeline \\(score 8\\): split into \\d+ subtasks by the rules planner`),
    );
    expect(json<TaskPage>(cli(dir, ['list', '--parent', String(big.id), '--json'])).total).toBeGreaterThan(1);
    // Bad input: a clear error, nothing changed.
    for (const args of [
      ['analyze'],
      ['analyze', '1', '--all'],
      ['analyze', '--all', '--threshold', 'x'],
      ['breakdown', '--all', '--threshold', '11'],
      ['breakdown', '1', '--threshold', '5'],
    ]) {
      const r = cli(dir, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/invalid_argument/);
    }
  });
});
