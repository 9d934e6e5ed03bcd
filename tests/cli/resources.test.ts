import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/core/resources.js';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from './run-cli.js';

/** `--resource` on add and update, `baton resource list|set`, and what show and status say, through the real binary. */
describe('resources through the real CLI', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir, cleanup } = freshProject());
  });
  afterAll(() => cleanup());

  const snapshot = () => {
    const dump = json<{ exportedAt: string }>(cli(dir, ['export']));
    return JSON.stringify({ ...dump, exportedAt: null, resources: json(cli(dir, ['resource', 'list', '--json'])) });
  };

  it('add takes --resource repeatable and comma-separated; a full resource holds work back, as show and status say', () => {
    const first = json<Task>(
      cli(dir, ['add', 'Migrate users', '--resource', 'db-migrations:2', '--resource', 'deploy', '--json']),
    );
    expect(first.resources).toEqual(['db-migrations', 'deploy']);
    const second = json<Task>(cli(dir, ['add', 'Migrate orders', '--resource', 'db-migrations', '--json']));
    const third = json<Task>(cli(dir, ['add', 'Migrate items', '--resource', 'db-migrations,cache', '--json']));
    expect(third.resources).toEqual(['db-migrations', 'cache']);

    expect(json<Task>(cli(dir, ['next', '--worker', 'w1', '--json'])).id).toBe(first.id);
    expect(json<Task>(cli(dir, ['next', '--worker', 'w2', '--json'])).id).toBe(second.id);
    expect(cli(dir, ['next', '--worker', 'w3']).stdout).toContain('no task available');

    const show = cli(dir, ['show', String(third.id)]);
    expect(show.stdout).toMatch(/resources\s+db-migrations, cache/);
    expect(show.stdout).toMatch(/waiting\s+waiting for a free slot of db-migrations \(2\/2 executing\)/);
    expect(cli(dir, ['status']).stdout).toContain('1 ready task waits for a free slot of a resource: db-migrations ×1');

    const listed = json<Resource[]>(cli(dir, ['resource', 'list', '--json']));
    expect(listed.find((r) => r.name === 'db-migrations')).toEqual({
      name: 'db-migrations',
      capacity: 2,
      holders: [first.id, second.id],
      waiting: 1,
    });
    expect(cli(dir, ['resource', 'list']).stdout).toContain(
      `db-migrations  2/2 executing (#${first.id}, #${second.id}), 1 waiting`,
    );

    // Raising the capacity lets the waiting task run.
    expect(json<Resource>(cli(dir, ['resource', 'set', 'db-migrations', '3', '--json'])).capacity).toBe(3);
    expect(json<Task>(cli(dir, ['next', '--worker', 'w3', '--json'])).id).toBe(third.id);
  });

  it('update replaces the resources with --resource and drops them with --no-resource', () => {
    const task = json<Task>(cli(dir, ['add', 'Backfill', '--json']));
    expect(json<Task>(cli(dir, ['update', String(task.id), '--resource', 'db-migrations,search:5', '--json'])).resources).toEqual(
      ['db-migrations', 'search'],
    );
    expect(json<Task>(cli(dir, ['update', String(task.id), '--no-resource', '--json'])).resources).toEqual([]);
  });

  const bad: [name: string, args: string[], exit: number, code: string, message: RegExp][] = [
    [
      'an empty resource',
      ['add', 'X', '--resource', ''],
      2,
      'invalid_argument',
      /resources\.0: a resource name must not be empty/,
    ],
    ['capacity 0', ['add', 'X', '--resource', 'db:0'], 2, 'invalid_argument', /capacity of db must be a whole number from 1 to/],
    ['a capacity that is no number', ['add', 'X', '--resource', 'db:abc'], 2, 'invalid_argument', /got "abc"/],
    ['a huge name', ['add', 'X', '--resource', 'r'.repeat(5000)], 2, 'invalid_argument', /resources\.0: must be at most/],
    ['a long name', ['add', 'X', '--resource', 'r'.repeat(101)], 2, 'invalid_argument', /at most 100 characters/],
    ['a name with spaces', ['add', 'X', '--resource', 'two words'], 2, 'invalid_argument', /may contain only/],
    [
      'an empty entry in a list',
      ['add', 'X', '--resource', 'db,'],
      2,
      'invalid_argument',
      /resources\.1: a resource name must not be empty/,
    ],
    ['two capacities', ['add', 'X', '--resource', 'q:2,q:3'], 2, 'invalid_argument', /q is given two capacities/],
    [
      'too many',
      ['add', 'X', '--resource', Array.from({ length: 21 }, (_, i) => `r${i}`).join(',')],
      2,
      'invalid_argument',
      /at most 20/,
    ],
    [
      'a conflicting capacity',
      ['add', 'X', '--resource', 'deploy:4'],
      4,
      'resource_conflict',
      /resource deploy has capacity 1, not 4/,
    ],
    ['a conflicting capacity on update', ['update', '1', '--resource', 'deploy:4'], 4, 'resource_conflict', /capacity 1/],
    ['resource set 0', ['resource', 'set', 'db', '0'], 2, 'invalid_argument', /capacity: must be a whole number from 1 to 10000/],
    ['resource set abc', ['resource', 'set', 'db', 'abc'], 2, 'invalid_argument', /capacity/],
    ['resource set a bad name', ['resource', 'set', 'a:b', '2'], 2, 'invalid_argument', /name: a resource name may contain only/],
  ];
  describe('bad input', () => {
    let before: string;
    beforeAll(() => {
      before = snapshot();
    });
    it.each(bad)('%s is refused with a coded error and changes nothing', (_name, args, exit, code, message) => {
      const r = cli(dir, args);
      expect(r.code, r.stderr).toBe(exit);
      expect(r.stderr).toMatch(new RegExp(`^error: ${code}: `));
      expect(r.stderr).toMatch(message);
      expect(snapshot()).toBe(before);
    });
    it('with --json the refusal is a coded JSON error', () => {
      const r = cli(dir, ['add', 'X', '--resource', 'db:0', '--json']);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'invalid_argument', details: { field: 'resources.0' } });
    });
  });
});
