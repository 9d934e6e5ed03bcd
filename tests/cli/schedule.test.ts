import { afterEach, describe, expect, it } from 'vitest';
import type { TaskDetail, TaskPage } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from './run-cli.js';

/** `baton add --run-after / --every / --timezone` and `baton update --run-after`, through the real binary. */
describe('baton CLI: schedules', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const project = () => {
    const p = freshProject();
    cleanups.push(p.cleanup);
    return p.dir;
  };

  it('add --run-after 2h: not claimable, and add, list and show say when it is scheduled for', () => {
    const dir = project();
    const before = Date.now();
    const task = json<Task>(cli(dir, ['add', 'Later', '--run-after', '2h', '--json']));
    const at = Date.parse(task.runAfter ?? '');
    expect(at).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
    expect(at).toBeLessThan(Date.now() + 2 * 3_600_000 + 1_000);
    const shown = task.runAfter?.replace('T', ' ').replace(/\.\d+Z$/, 'Z') ?? '';
    const added = cli(dir, ['add', 'Also later', '--run-after', task.runAfter ?? '']);
    expect(added.stdout).toContain(`scheduled for ${shown}`);
    expect(json<Task | null>(cli(dir, ['next', '--worker', 'w', '--json']))).toBeNull();
    expect(cli(dir, ['list']).stdout).toContain(`(scheduled for ${shown})`);
    const show = cli(dir, ['show', String(task.id)]);
    expect(show.stdout).toContain(`scheduled for ${task.runAfter}`);
    expect(json<TaskDetail>(cli(dir, ['show', String(task.id), '--json'])).waiting).toMatchObject({ reason: 'scheduled' });
  });

  it('update --run-after reschedules; "now" or a past time makes it claimable at once', () => {
    const dir = project();
    const task = json<Task>(cli(dir, ['add', 'Move me', '--json']));
    const moved = json<Task>(cli(dir, ['update', String(task.id), '--run-after', '2030-01-01T09:00:00+02:00', '--json']));
    if (Date.now() < Date.parse('2030-01-01T07:00:00Z')) {
      expect(moved.runAfter).toBe('2030-01-01T07:00:00.000Z');
      expect(json<Task | null>(cli(dir, ['next', '--worker', 'w', '--json']))).toBeNull();
    }
    expect(json<Task>(cli(dir, ['update', String(task.id), '--run-after', 'now', '--json'])).runAfter).toBeNull();
    cli(dir, ['update', String(task.id), '--run-after', '3h']);
    json<Task>(cli(dir, ['update', String(task.id), '--run-after', '2001-01-01T00:00:00Z', '--json']));
    expect(json<Task | null>(cli(dir, ['next', '--worker', 'w', '--json']))?.id).toBe(task.id);
  });

  it('add --every with --timezone makes a template and its first occurrence; cancel stops it', () => {
    const dir = project();
    const template = json<Task>(
      cli(dir, ['add', 'Standup notes', '--every', '0 9 * * 1-5', '--timezone', 'Europe/Paris', '-c', 'writing', '--json']),
    );
    expect(template).toMatchObject({ status: 'blocked', recurrence: { every: '0 9 * * 1-5', timezone: 'Europe/Paris' } });
    const page = json<TaskPage>(cli(dir, ['list', '--json']));
    const occurrence = page.tasks.find((t) => t.recurrence?.templateId === template.id);
    expect(occurrence).toMatchObject({ title: 'Standup notes', status: 'queued', capabilities: ['writing'] });
    expect(occurrence?.runAfter).toBe(template.recurrence?.fireAt);
    const list = cli(dir, ['list']).stdout;
    expect(list).toContain('every "0 9 * * 1-5" (Europe/Paris), next at');
    expect(cli(dir, ['show', String(template.id)]).stdout).toContain('recurring every "0 9 * * 1-5" (Europe/Paris)');
    expect(json<Task>(cli(dir, ['cancel', String(template.id), '--json'])).status).toBe('cancelled');
    const after = json<TaskDetail>(cli(dir, ['show', String(occurrence?.id), '--json']));
    expect(after.task.status).toBe('cancelled');
  });

  it('a malformed time, cron or time zone is a coded error with the reason, and nothing is stored', () => {
    const dir = project();
    const cases: [string[], string][] = [
      [['--run-after', 'tomorrow'], 'runAfter'],
      [['--every', '0 25 * * *'], 'every'],
      [['--every', '0 9 * * *', '--timezone', 'Europe/Atlantis'], 'timezone'],
    ];
    for (const [args, field] of cases) {
      const r = cli(dir, ['add', 'Nope', ...args, '--json']);
      expect(r.code, r.stderr).toBe(2);
      const err = JSON.parse(r.stderr || r.stdout) as { error: { code: string; message: string } };
      expect(err.error.code).toBe('invalid_argument');
      expect(err.error.message).toContain(field);
    }
    const hour = cli(dir, ['add', 'Nope', '--every', '0 25 * * *']);
    expect(hour.stderr).toContain('hour');
    const zone = cli(dir, ['add', 'Nope', '--every', '0 9 * * *', '--timezone', 'Europe/Atlantis']);
    expect(zone.stderr).toContain('Europe/Atlantis');
    const task = json<Task>(cli(dir, ['add', 'Keep', '--json']));
    expect(cli(dir, ['update', String(task.id), '--run-after', 'whenever']).code).toBe(2);
    expect(json<TaskPage>(cli(dir, ['list', '--json'])).tasks.map((t) => [t.title, t.runAfter])).toEqual([['Keep', null]]);
  });
});
