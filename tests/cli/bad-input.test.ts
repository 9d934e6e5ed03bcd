import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { type CliResult, cli, freshProject, json } from './run-cli.js';

/**
 * Every bad input gets a coded error on stderr (`error: <code>: <message>`), the exit code of its
 * category, and changes nothing in the store.
 */
describe('bad input through the real CLI', () => {
  let dir: string;
  let cleanup: () => void;
  let a: Task;
  let b: Task;
  let c: Task;
  let claimed: Task;

  beforeAll(() => {
    ({ dir, cleanup } = freshProject());
    a = json<Task>(cli(dir, ['add', 'Design the schema', '--json']));
    b = json<Task>(cli(dir, ['add', 'Write the migration', '--depends-on', String(a.id), '--json']));
    c = json<Task>(cli(dir, ['add', 'Review the migration', '--depends-on', String(b.id), '--json']));
    json(cli(dir, ['add', 'Claimable', '-p', 'critical', '--json']));
    claimed = json<Task>(cli(dir, ['next', '--worker', 'w1', '--json']));
    // A second claim cycle so that token 1 of some task is stale.
    json(cli(dir, ['release', String(claimed.id), '--worker', 'w1', '--json']));
    claimed = json<Task>(cli(dir, ['next', '--worker', 'w1', '--json']));
    json(cli(dir, ['workers', '--json']));
  });
  afterAll(() => cleanup());

  const snapshot = () => {
    const dump = json<{ exportedAt: string }>(cli(dir, ['export']));
    return JSON.stringify({ ...dump, exportedAt: null });
  };

  const cases: [name: string, args: () => string[], exit: number, code: string, message?: RegExp][] = [
    ['empty title', () => ['add', ''], 2, 'invalid_argument', /title: must not be empty/],
    ['whitespace title', () => ['add', '   '], 2, 'invalid_argument', /title/],
    ['201-character title', () => ['add', 'x'.repeat(201)], 2, 'invalid_argument', /title: must be at most 200/],
    ['unknown priority', () => ['add', 'Task', '-p', 'urgent'], 2, 'invalid_argument', /priority: unknown priority "urgent"/],
    ['negative estimate', () => ['add', 'Task', '--estimate', '-3h'], 2, 'invalid_argument', /estimate/],
    ['non-numeric estimate', () => ['add', 'Task', '--estimate', 'soon'], 2, 'invalid_argument', /estimate/],
    [
      'estimate without a unit',
      () => ['add', 'Task', '--estimate', '90'],
      2,
      'invalid_argument',
      /estimate: .*write 90m .* or 90h/,
    ],
    [
      'adding a dependency to executing work',
      () => ['depend', String(claimed.id), '--on', String(a.id)],
      4,
      'illegal_transition',
      /it is executing, and a dependency must be added before work starts/,
    ],
    ['progress 101', () => ['progress', String(claimed.id), '101', '--worker', 'w1'], 2, 'invalid_argument', /progress/],
    ['progress -1', () => ['progress', String(claimed.id), '-1', '--worker', 'w1'], 2, 'invalid_argument', /progress/],
    ['depend on itself', () => ['depend', String(a.id), '--on', String(a.id)], 2, 'invalid_argument', /itself/],
    [
      'dependency closing a cycle',
      () => ['depend', String(a.id), '--on', String(c.id)],
      2,
      'dependency_cycle',
      /cycle 1 -> 3 -> 2 -> 1/,
    ],
    ['unknown task (show)', () => ['show', '999'], 3, 'task_not_found', /task 999 not found/],
    ['unknown dependency', () => ['add', 'Task', '--depends-on', '998'], 3, 'task_not_found', /998/],
    ['unknown worker (assign)', () => ['assign', String(a.id), 'nobody'], 3, 'worker_not_found', /nobody/],
    ['malformed worker id', () => ['next', '--worker', 'bad id!'], 2, 'invalid_argument', /worker/],
    ['done by a worker without the lease', () => ['done', String(claimed.id), '--worker', 'w2'], 4, 'not_lease_holder'],
    ['done with a stale token', () => ['done', String(claimed.id), '--worker', 'w1', '--token', '1'], 4, 'stale_token'],
    ['resume a queued task', () => ['resume', String(a.id)], 4, 'illegal_transition', /cannot resume task 1: it is queued/],
    ['done on a task not executing', () => ['done', String(a.id), '--worker', 'w1'], 4, 'illegal_transition'],
    [
      'malformed --result JSON',
      () => ['done', String(claimed.id), '--worker', 'w1', '--result', '{oops'],
      2,
      'invalid_argument',
      /result/,
    ],
    ['version mismatch', () => ['update', String(a.id), '--title', 'New', '--if-version', '99'], 4, 'version_mismatch'],
    ['unknown option', () => ['list', '--colour'], 2, 'usage'],
    ['not a task id', () => ['show', 'abc'], 2, 'invalid_argument'],
  ];

  it.each(cases)('%s', (_name, args, exit, code, message) => {
    const before = snapshot();
    const r: CliResult = cli(dir, args());
    expect(r.code).toBe(exit);
    expect(r.stderr).toMatch(new RegExp(`^error: ${code}: `));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    if (message) expect(r.stderr).toMatch(message);
    expect(snapshot()).toBe(before);
  });

  it('prints errors as JSON with --json', () => {
    const r = cli(dir, ['show', '999', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'task_not_found', message: 'task 999 not found' } });
    expect(r.stdout).toBe('');
  });

  it('refuses a malformed or truncated import and imports nothing', () => {
    const target = freshProject();
    try {
      const full = cli(dir, ['export']).stdout;
      const truncated = join(target.dir, 'truncated.json');
      writeFileSync(truncated, full.slice(0, Math.floor(full.length / 2)));
      const wrongShape = join(target.dir, 'wrong.json');
      writeFileSync(wrongShape, JSON.stringify({ format: 'baton-export', formatVersion: 1, tasks: [{ id: 'x' }] }));
      for (const file of [truncated, wrongShape, join(target.dir, 'missing.json')]) {
        const r = cli(target.dir, ['import', file]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^error: invalid_import: /);
        const after = json<{ tasks: unknown[]; events: unknown[]; workers: unknown[] }>(cli(target.dir, ['export']));
        expect([after.tasks.length, after.events.length, after.workers.length]).toEqual([0, 0, 0]);
      }
    } finally {
      target.cleanup();
    }
  });

  it('refuses a file that is not a Baton store, and leaves it alone', () => {
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'these are my notes, not a database\n');
    const r = cli(dir, ['--db', file, 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: not_a_store: /);
  });

  it('tells a new user to run init when there is no store', () => {
    const r = cli('/', ['list']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: store_not_found: .*baton init/);
  });
});
