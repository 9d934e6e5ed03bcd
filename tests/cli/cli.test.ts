import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskDetail, TaskPage } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { childEnv, sealedFolder } from '../helpers/sealed.js';
import { BIN, cli, freshProject, json } from './run-cli.js';

describe('baton CLI', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const project = () => {
    const p = freshProject();
    cleanups.push(p.cleanup);
    return p.dir;
  };

  it('finds the store by walking up from a subfolder, like git', () => {
    const dir = project();
    const sub = join(dir, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    json(cli(sub, ['add', 'From a subfolder', '--json']));
    const page = json<TaskPage>(cli(dir, ['list', '--json']));
    expect(page.tasks.map((t) => t.title)).toEqual(['From a subfolder']);
  });

  it('init makes the store in the current folder even below another store, which it leaves alone', () => {
    const outer = project();
    json(cli(outer, ['add', 'Outer task', '--json']));
    const inner = join(outer, 'inner');
    mkdirSync(inner);
    expect(cli(inner, ['init']).code).toBe(0);
    expect(existsSync(join(inner, '.baton', 'baton.db'))).toBe(true);
    expect(json<TaskPage>(cli(inner, ['list', '--json'])).total).toBe(0);
    expect(json<TaskPage>(cli(outer, ['list', '--json'])).tasks.map((t) => t.title)).toEqual(['Outer task']);
  });

  it('refuses a --db or BATON_DB naming a missing file, creating nothing; init creates it', () => {
    const dir = project();
    const typo = join(dir, 'typo', 'batn.db');
    for (const run of [
      () => cli(dir, ['--db', typo, 'list', '--json']),
      () => cli(dir, ['list', '--json'], { BATON_DB: typo }),
      () => cli(dir, ['add', 'Lost', '--db', typo]),
    ]) {
      const r = run();
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('store_not_found');
      expect(r.stderr).toContain(typo);
    }
    expect(existsSync(join(dir, 'typo'))).toBe(false);
    expect(json<{ store: string }>(cli(dir, ['init', '--db', typo, '--json'])).store).toBe(typo);
    json(cli(dir, ['--db', typo, 'add', 'Found', '--json']));
    expect(json<TaskPage>(cli(dir, ['list', '--json'], { BATON_DB: typo })).tasks.map((t) => t.title)).toEqual(['Found']);
  });

  it('serve --init (npm start) still creates the store in a fresh folder', async () => {
    // Sealed: an empty `.baton/` of its own stops the walk up, as a fresh project's folder would.
    const dir = sealedFolder('baton-serve-init');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [BIN, 'serve', '--init', '--port', '0'], { cwd: dir, env: childEnv() });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    for (let i = 0; i < 200 && !/listening|http:\/\//i.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/http:\/\//);
    expect(existsSync(join(dir, '.baton', 'baton.db'))).toBe(true);
  });

  it('takes estimates as it prints them: 4h30m, 1d4h, 90m', () => {
    const dir = project();
    const a = json<Task>(cli(dir, ['add', 'Four and a half hours', '--estimate', '4h30m', '--json']));
    expect(a.estimateMinutes).toBe(270);
    const shown = cli(dir, ['show', String(a.id)]).stdout;
    expect(shown).toContain('estimate 4h30m');
    expect(cli(dir, ['analyze', String(a.id)]).stdout).toContain('estimate 4h30m is above 4h');
    // What `show` printed goes back in as it is.
    const printed = /estimate (\S+)\)/.exec(shown)?.[1] ?? '';
    json(cli(dir, ['update', String(a.id), '--estimate', printed, '--json']));
    expect(json<Task>(cli(dir, ['update', String(a.id), '--estimate', '1d4h', '--json'])).estimateMinutes).toBe(12 * 60);
    expect(json<Task>(cli(dir, ['update', String(a.id), '--estimate', '90m', '--json'])).estimateMinutes).toBe(90);
    expect(cli(dir, ['show', String(a.id)]).stdout).toContain('estimate 1h30m');
  });

  it('init is idempotent and keeps the data', () => {
    const dir = project();
    json(cli(dir, ['add', 'Keep me', '--json']));
    expect(cli(dir, ['init']).code).toBe(0);
    expect(json<TaskPage>(cli(dir, ['list', '--json'])).total).toBe(1);
  });

  it('runs a task through its life and records who did what in the history', () => {
    const dir = project();
    const task = json<Task>(cli(dir, ['add', 'Write the release notes', '-p', 'high', '-c', 'docs', '-t', 'release', '--json']));
    expect(task).toMatchObject({ status: 'queued', priority: 'high', capabilities: ['docs'], tags: ['release'] });

    expect(json(cli(dir, ['next', '--worker', 'w1', '--json']))).toBeNull(); // lacks the capability
    const claimed = json<Task>(cli(dir, ['next', '--worker', 'w2', '--capabilities', 'docs,python', '--json']));
    expect(claimed.lease).toMatchObject({ owner: 'w2', token: 1 });
    json(cli(dir, ['progress', String(task.id), '40', '--worker', 'w2', '--note', 'drafted', '--step', 'draft', '--json']));
    const done = json<Task>(
      cli(dir, [
        'done',
        String(task.id),
        '--worker',
        'w2',
        '--token',
        '1',
        '--result',
        '{"pages":3}',
        '--artifact',
        'NOTES.md',
        '--json',
      ]),
    );
    expect(done).toMatchObject({ status: 'completed', progress: 100, result: { pages: 3 } });

    const detail = json<TaskDetail>(cli(dir, ['show', String(task.id), '--json']));
    expect(detail.history.map((e) => [e.type, e.actor])).toEqual([
      ['created', expect.stringMatching(/^user/)],
      ['claimed', 'w2'],
      ['progress', 'w2'],
      ['completed', 'w2'],
    ]);
    expect(detail.history[1]?.changes.status).toEqual(['queued', 'executing']);
    const human = cli(dir, ['show', String(task.id)]).stdout;
    expect(human).toMatch(/History/);
    expect(human).toMatch(/claimed\s+status: queued → executing/);
  });

  it('lists with filters, in claim order with --ready', () => {
    const dir = project();
    json(cli(dir, ['add', 'Low one', '-p', 'low', '--json']));
    json(cli(dir, ['add', 'Critical one', '-p', 'critical', '-t', 'hot', '--json']));
    json(cli(dir, ['add', 'Normal one', '--json']));
    const ready = json<TaskPage>(cli(dir, ['list', '--ready', '--json']));
    expect(ready.tasks.map((t) => t.title)).toEqual(['Critical one', 'Normal one', 'Low one']);
    expect(json<TaskPage>(cli(dir, ['list', '--tag', 'hot', '--json'])).tasks.map((t) => t.title)).toEqual(['Critical one']);
    const limited = json<TaskPage>(cli(dir, ['list', '--limit', '2', '--json']));
    expect([limited.tasks.length, limited.total]).toEqual([2, 3]);
    expect(cli(dir, ['list', '--limit', '2']).stdout).toMatch(/1 more/);
  });

  it('reserves a task for one worker with assign, and pauses and resumes', () => {
    const dir = project();
    json(cli(dir, ['next', '--worker', 'alice', '--json']));
    const t = json<Task>(cli(dir, ['add', 'For Alice', '--json']));
    expect(json<Task>(cli(dir, ['assign', String(t.id), 'alice', '--json'])).status).toBe('assigned');
    expect(json(cli(dir, ['next', '--worker', 'bob', '--json']))).toBeNull();
    expect(json<Task>(cli(dir, ['pause', String(t.id), '--json'])).status).toBe('paused');
    expect(json(cli(dir, ['next', '--worker', 'alice', '--json']))).toBeNull();
    expect(json<Task>(cli(dir, ['resume', String(t.id), '--json'])).status).toBe('assigned');
    expect(json<Task>(cli(dir, ['next', '--worker', 'alice', '--json'])).id).toBe(t.id);
  });

  it('fails with retries, then requeues with retry', () => {
    const dir = project();
    const t = json<Task>(cli(dir, ['add', 'Flaky', '--max-retries', '1', '--json']));
    json(cli(dir, ['next', '--worker', 'w', '--json']));
    const first = json<Task>(cli(dir, ['fail', String(t.id), '--worker', 'w', '--error', 'boom', '--json']));
    expect(first).toMatchObject({ status: 'queued', retries: 1, lastError: 'boom' });
    expect(Date.parse(first.runAfter ?? '')).toBeGreaterThan(Date.now()); // backoff
    expect(json(cli(dir, ['next', '--worker', 'w', '--json']))).toBeNull();

    const once = json<Task>(cli(dir, ['add', 'No retries', '--max-retries', '0', '-p', 'critical', '--json']));
    json(cli(dir, ['next', '--worker', 'w', '--json']));
    expect(json<Task>(cli(dir, ['fail', String(once.id), '--worker', 'w', '--error', 'bad', '--json'])).status).toBe('failed');
    const failed = json<TaskPage>(cli(dir, ['list', '--status', 'failed', '--json']));
    expect(failed.tasks.map((x) => x.id)).toEqual([once.id]);
    expect(json<Task>(cli(dir, ['retry', String(once.id), '--json']))).toMatchObject({ status: 'queued', retries: 0 });
    expect(json<Task>(cli(dir, ['next', '--worker', 'w', '--json'])).id).toBe(once.id);
  });

  it('review needs a different worker; a failed review sends the task back with feedback', () => {
    const dir = project();
    const t = json<Task>(cli(dir, ['add', 'Needs eyes', '--review', '--json']));
    json(cli(dir, ['next', '--worker', 'author', '--json']));
    expect(json<Task>(cli(dir, ['done', String(t.id), '--worker', 'author', '--json'])).status).toBe('reviewing');
    const self = cli(dir, ['review', String(t.id), '--worker', 'author', '--pass']);
    expect([self.code, self.stderr]).toEqual([2, expect.stringMatching(/^error: invalid_reviewer/)]);
    const back = json<Task>(cli(dir, ['review', String(t.id), '--worker', 'rev', '--fail', '--feedback', 'add tests', '--json']));
    expect(back.status).toBe('queued');
    expect(back.notes.at(-1)?.text).toMatch(/add tests/);
    json(cli(dir, ['next', '--worker', 'author', '--json']));
    json(cli(dir, ['done', String(t.id), '--worker', 'author', '--json']));
    expect(json<Task>(cli(dir, ['review', String(t.id), '--worker', 'rev', '--pass', '--score', '90', '--json'])).status).toBe(
      'completed',
    );
    expect(cli(dir, ['show', String(t.id)]).stdout).toMatch(/review\s+pass by rev, score 90/);
  });

  it('export then import into a new store round-trips losslessly', () => {
    const dir = project();
    const a = json<Task>(cli(dir, ['add', 'A', '--json']));
    json(cli(dir, ['add', 'B', '--depends-on', String(a.id), '-c', 'x', '--json']));
    json(cli(dir, ['next', '--worker', 'w1', '--json']));
    json(cli(dir, ['done', String(a.id), '--worker', 'w1', '--json']));
    json(cli(dir, ['cancel', '2', '--reason', 'not needed', '--json']));
    const file = join(dir, 'a.json');
    expect(cli(dir, ['export', file]).code).toBe(0);
    const original = json<Record<string, unknown>>(cli(dir, ['export']));

    const other = project();
    expect(cli(other, ['import', file]).code).toBe(0);
    const copy = json<Record<string, unknown>>(cli(other, ['export']));
    expect({ ...copy, exportedAt: 0 }).toEqual({ ...original, exportedAt: 0 });
    // ids keep counting from where they were
    expect(json<Task>(cli(other, ['add', 'C', '--json'])).id).toBe(3);
    const again = cli(other, ['import', file]);
    expect([again.code, again.stderr]).toEqual([4, expect.stringMatching(/^error: store_not_empty/)]);
  }, 180_000);

  it('prints the version and lists only working commands in help', () => {
    const dir = project();
    expect(cli(dir, ['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = cli(dir, ['--help']).stdout;
    for (const c of ['init', 'add', 'list', 'show', 'next', 'done', 'export', 'import', 'status', 'workers']) {
      expect(help).toMatch(new RegExp(`\\n\\s+${c}\\b`));
    }
    expect(help).not.toMatch(/\n\s+start\b/);
  });
});
