import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { BulkResult, TaskDetail, TaskPage } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { BIN, cli, freshProject, json } from './run-cli.js';

const titles = (page: TaskPage) => page.tasks.map((t) => t.title);
const errorOf = (r: { stderr: string }) => (JSON.parse(r.stderr) as { error: { code: string; message: string } }).error;

/** Steering by hand from the CLI: list filters and output, bulk changes, note, edit, completion. */
describe('baton CLI: steering', () => {
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
  const failed = (dir: string, title: string, tag: string) => {
    const t = add(dir, title, '--tags', tag, '--max-retries', '0', '--capabilities', `only-${title}`);
    const claimed = json<Task>(cli(dir, ['next', '--worker', 'w', '--capabilities', `only-${title}`, '--json']));
    json(cli(dir, ['fail', String(t.id), '--worker', 'w', '--error', 'boom', '--token', String(claimed.lease?.token), '--json']));
    return t;
  };

  it('list filters by priority, capability and text, sorts, and hides finished work from people but not from scripts', () => {
    const dir = project();
    add(dir, 'Fix the login form', '--priority', 'high', '--capabilities', 'web', '--description', 'users cannot sign in');
    add(dir, 'Deploy nightly build', '--priority', 'low', '--capabilities', 'ops');
    const done = add(dir, 'Old login cleanup', '--priority', 'critical');
    json(cli(dir, ['cancel', String(done.id), '--json']));
    expect(titles(json<TaskPage>(cli(dir, ['list', '--priority', 'high,low', '--json'])))).toEqual([
      'Fix the login form',
      'Deploy nightly build',
    ]);
    expect(titles(json<TaskPage>(cli(dir, ['list', '--capability', 'ops', '--json'])))).toEqual(['Deploy nightly build']);
    expect(titles(json<TaskPage>(cli(dir, ['list', '--search', 'login', '--json'])))).toEqual([
      'Fix the login form',
      'Old login cleanup',
    ]);
    expect(titles(json<TaskPage>(cli(dir, ['list', '--search', 'sign', '--json'])))).toEqual(['Fix the login form']);
    expect(titles(json<TaskPage>(cli(dir, ['list', '--sort', 'priority', '--json'])))).toEqual([
      'Old login cleanup',
      'Fix the login form',
      'Deploy nightly build',
    ]);
    // Scripts keep every task unless --open; people see open work unless --all or a --status.
    expect(json<TaskPage>(cli(dir, ['list', '--json'])).total).toBe(3);
    expect(json<TaskPage>(cli(dir, ['list', '--open', '--json'])).total).toBe(2);
    expect(cli(dir, ['list']).stdout).not.toContain('Old login cleanup');
    expect(cli(dir, ['list', '--all']).stdout).toContain('Old login cleanup');
    expect(cli(dir, ['list', '--status', 'cancelled']).stdout).toContain('Old login cleanup');
  });

  it('list refuses bad filters with a coded error', () => {
    const dir = project();
    for (const [args, field] of [
      [['--sort', 'random'], 'sort'],
      [['--priority', 'urgent'], 'priority'],
      [['--search', ''], 'q'],
      [['--search', '!!!'], 'q'],
      [['--search', 'x'.repeat(501)], 'q'],
    ] as const) {
      const r = cli(dir, ['list', ...args, '--json']);
      expect([r.code, errorOf(r).code], String(args)).toEqual([2, 'invalid_argument']);
      expect(errorOf(r).message).toContain(field);
    }
  });

  it('list --tree shows subtasks indented under their parents', () => {
    const dir = project();
    const parent = add(dir, 'Parent');
    add(dir, 'Unrelated');
    add(dir, 'Child A', '--json');
    const child = json<Task>(cli(dir, ['add', 'Child B', '--no-breakdown', '--json']));
    // Subtasks come from breakdown; a parent id set at creation does the same for the listing.
    const db = new Database(join(dir, '.baton', 'baton.db'));
    db.prepare('UPDATE tasks SET parent_id = ? WHERE title IN (?, ?)').run(parent.id, 'Child A', 'Child B');
    db.close();
    const tree = json<TaskPage & { tree: { id: number; depth: number }[] }>(cli(dir, ['list', '--tree', '--json']));
    expect(tree.tree.map((e) => e.depth)).toEqual([0, 1, 1, 0]);
    expect(tree.tree[2]?.id).toBe(child.id);
    const lines = cli(dir, ['list', '--tree']).stdout.split('\n');
    expect(lines.find((l) => l.includes('Child B'))).toMatch(/ {2}Child B/);
    expect(lines.findIndex((l) => l.includes('Child A'))).toBe(lines.findIndex((l) => l.includes('Parent')) + 1);
    expect(titles(json<TaskPage>(cli(dir, ['list', '--parents', '--json'])))).toEqual(['Parent']);
    expect(titles(json<TaskPage>(cli(dir, ['list', '--no-parents', '--json'])))).toEqual(['Unrelated', 'Child A', 'Child B']);
    const where = cli(dir, ['pause', '--where', 'parents=maybe', '--yes', '--json']);
    expect([where.code, where.stderr]).toEqual([2, expect.stringMatching(/parents takes true or false/)]);
  });

  it('human tables fit COLUMNS (titles cut with …), say times relatively, and carry colours only to a terminal', () => {
    const dir = project();
    const long = add(dir, `A very long title ${'that keeps going '.repeat(8)}`);
    const db = new Database(join(dir, '.baton', 'baton.db'));
    db.prepare('UPDATE tasks SET updated_at = ? WHERE id = ?').run(Date.now() - 3 * 60_000, long.id);
    db.close();
    const narrow = cli(dir, ['list'], { COLUMNS: '60' }).stdout.trimEnd().split('\n');
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(60);
    expect(narrow[1]).toContain('…');
    expect(narrow[1]).toContain('3 min ago');
    expect(cli(dir, ['list'], { COLUMNS: '400' }).stdout).toContain(long.title.trim());
    const run = (env: Record<string, string>) => {
      const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_') && k !== 'NO_COLOR'));
      return spawnSync(process.execPath, [BIN, 'list'], { cwd: dir, env: { ...base, ...env }, encoding: 'utf8' }).stdout;
    };
    expect(run({ CI: '1' })).not.toContain('\x1b[');
    expect(run({ FORCE_COLOR: '1' })).toContain('\x1b[');
    expect(run({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toContain('\x1b[');
  });

  it('retry --where status=failed,tag=nightly --yes requeues every match in one step', () => {
    const dir = project();
    const a = failed(dir, 'a', 'nightly');
    const b = failed(dir, 'b', 'nightly');
    failed(dir, 'c', 'weekly');
    const result = json<BulkResult>(cli(dir, ['retry', '--where', 'status=failed,tag=nightly', '--yes', '--json']));
    expect([result.count, result.ids]).toEqual([2, [a.id, b.id]]);
    expect(json<TaskPage>(cli(dir, ['list', '--status', 'failed', '--json'])).total).toBe(1);
    const human = cli(dir, ['pause', String(a.id), String(b.id), '--yes']);
    expect(human.stdout).toMatch(/^paused 2 tasks/);
    const counted = json<TaskPage>(cli(dir, ['list', '--status', 'paused', '--json']));
    expect(counted.total).toBe(2);
    json(cli(dir, ['resume', String(a.id), String(b.id), '--yes', '--json']));
    json(cli(dir, ['update', String(a.id), String(b.id), '--priority', 'critical', '--yes', '--json']));
    expect(json<TaskDetail>(cli(dir, ['show', String(b.id), '--json'])).task.priority).toBe('critical');
    const cancelled = json<BulkResult>(
      cli(dir, ['cancel', '--where', 'priority=critical', '--reason', 'not now', '--yes', '--json']),
    );
    expect(cancelled.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('bulk without a terminal and without --yes is refused, and changes nothing', () => {
    const dir = project();
    const a = add(dir, 'one');
    const b = add(dir, 'two');
    for (const args of [
      ['pause', String(a.id), String(b.id)],
      ['cancel', '--where', 'status=queued'],
    ]) {
      const r = cli(dir, [...args, '--json']);
      expect([r.code, errorOf(r).code]).toEqual([2, 'confirmation_required']);
      expect(errorOf(r).message).toContain('2 tasks');
      const human = cli(dir, args);
      expect(human.stderr).toContain('pass --yes');
    }
    expect(json<TaskPage>(cli(dir, ['list', '--status', 'queued', '--json'])).total).toBe(2);
  });

  it('bulk is all or nothing: a task in a wrong state or unknown aborts the batch, naming it', () => {
    const dir = project();
    const a = add(dir, 'one');
    const b = add(dir, 'two');
    json(cli(dir, ['cancel', String(b.id), '--json']));
    const wrong = cli(dir, ['pause', String(a.id), String(b.id), '--yes', '--json']);
    expect([wrong.code, errorOf(wrong).code]).toEqual([4, 'illegal_transition']);
    expect(errorOf(wrong).message).toContain(`task ${b.id}`);
    const unknown = cli(dir, ['retry', String(b.id), '999999', '--yes', '--json']);
    expect([unknown.code, errorOf(unknown).code]).toEqual([3, 'task_not_found']);
    const show = json<TaskDetail>(cli(dir, ['show', String(a.id), '--json']));
    expect(show.task.status).toBe('queued');
    expect(json<TaskDetail>(cli(dir, ['show', String(b.id), '--json'])).task.status).toBe('cancelled');
  });

  it('bulk refuses malformed selections', () => {
    const dir = project();
    const a = add(dir, 'one');
    const cases: [string[], number, string][] = [
      [['pause', '--where', 'colour=red', '--yes'], 2, 'invalid_argument'],
      [['pause', '--where', 'status', '--yes'], 2, 'invalid_argument'],
      [['pause', '--where', 'status=sleeping', '--yes'], 2, 'invalid_argument'],
      [['pause', '--where', ',', '--yes'], 2, 'invalid_argument'],
      [['pause', String(a.id), '--where', 'status=queued', '--yes'], 2, 'usage'],
      [['pause', '--yes'], 2, 'usage'],
      [['pause', 'abc', '2', '--yes'], 2, 'invalid_argument'],
      [['update', String(a.id), '2', '--title', 'x', '--yes'], 2, 'usage'],
      [['update', '--where', 'status=queued', '--yes'], 2, 'usage'],
    ];
    for (const [args, code, error] of cases) {
      const r = cli(dir, [...args, '--json']);
      expect([r.code, errorOf(r).code], args.join(' ')).toEqual([code, error]);
    }
    expect(json<TaskDetail>(cli(dir, ['show', String(a.id), '--json'])).task.version).toBe(a.version);
  });

  it('note adds a note to the history; bad input is refused', () => {
    const dir = project();
    const a = add(dir, 'one');
    json(cli(dir, ['note', String(a.id), 'checked', 'the', 'logs', '--json']));
    const history = json<TaskDetail>(cli(dir, ['show', String(a.id), '--json'])).history;
    expect(JSON.stringify(history)).toContain('checked the logs');
    expect(cli(dir, ['note', '999999', 'x', '--json']).code).toBe(3);
    expect(errorOf(cli(dir, ['note', String(a.id), '   ', '--json'])).code).toBe('invalid_argument');
    expect(errorOf(cli(dir, ['note', String(a.id), 'x'.repeat(100_000), '--json'])).code).toBe('invalid_argument');
    expect(cli(dir, ['note', String(a.id), '--json']).code).toBe(2);
  });

  it('edit opens $EDITOR on the fields as YAML and applies the change, guarded by the version', () => {
    const dir = project();
    const a = add(dir, 'Old title', '--priority', 'low');
    const script = (name: string, body: string) => {
      const file = join(dir, name);
      writeFileSync(file, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const good = script('good.sh', `sed -i -e 's/^title: .*/title: New title/' -e 's/^priority: .*/priority: high/' "$1"`);
    const edited = json<Task>(cli(dir, ['edit', String(a.id), '--json'], { EDITOR: good }));
    expect([edited.title, edited.priority, edited.version]).toEqual(['New title', 'high', a.version + 1]);
    const unchanged = json<Task>(cli(dir, ['edit', String(a.id), '--json'], { EDITOR: script('same.sh', 'true') }));
    expect(unchanged.version).toBe(edited.version);
    // Someone changes the task while the editor is open: the edit is refused.
    const racing = script(
      'race.sh',
      `node ${BIN} update ${a.id} --description meanwhile >/dev/null && sed -i 's/^title: .*/title: Mine/' "$1"`,
    );
    const race = cli(dir, ['edit', String(a.id), '--json'], { EDITOR: racing });
    expect([race.code, errorOf(race).code]).toEqual([4, 'version_mismatch']);
    const bad: [string, string][] = [
      ['broken.sh', `printf 'title: [unclosed\\n' > "$1"`],
      ['unknown.sh', `printf 'status: completed\\n' >> "$1"`],
      ['empty-title.sh', `sed -i 's/^title: .*/title: ""/' "$1"`],
      ['bad-priority.sh', `sed -i 's/^priority: .*/priority: urgent/' "$1"`],
      ['exit.sh', 'exit 3'],
    ];
    for (const [name, body] of bad) {
      const r = cli(dir, ['edit', String(a.id), '--json'], { EDITOR: script(name, body) });
      expect(r.code, name).toBe(2);
    }
    const after = json<TaskDetail>(cli(dir, ['show', String(a.id), '--json'])).task;
    expect([after.title, after.priority]).toEqual(['New title', 'high']);
    expect(errorOf(cli(dir, ['edit', '999999', '--json'], { EDITOR: good })).code).toBe('task_not_found');
    expect(errorOf(cli(dir, ['edit', String(a.id), '--json'], { EDITOR: '', VISUAL: '' })).code).toBe('usage');
  });

  it('completion bash is a script bash sources, completing commands and options', () => {
    const dir = project();
    const script = cli(dir, ['completion', 'bash']).stdout;
    const complete = (words: string[]) => {
      const r = spawnSync(
        'bash',
        ['-c', `${script}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _baton; echo "\${COMPREPLY[@]}"`],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      return r.stdout.trim();
    };
    expect(complete(['baton', 'li'])).toBe('list');
    expect(complete(['baton', 'list', '--sea'])).toBe('--search');
    expect(complete(['baton', 'retry', '--wh'])).toBe('--where');
    expect(cli(dir, ['completion', 'zsh']).stdout).toContain('compdef _baton baton');
    expect(cli(dir, ['completion', 'fish']).stdout).toContain("complete -c baton -n '__fish_use_subcommand' -a list");
    const r = cli(dir, ['completion', 'tcsh', '--json']);
    expect([r.code, errorOf(r).code]).toEqual([2, 'invalid_argument']);
  });
});
