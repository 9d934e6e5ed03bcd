import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainCheckoutOf } from '../../src/app/git-worktree.js';
import { locateStore } from '../../src/app/open.js';
import { cli, connect, json } from './helpers.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, stdio: 'pipe' });

describe('the store is found from a git worktree', () => {
  let root: string;
  let main: string;
  let worktree: string;

  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'baton-worktree-')));
    main = join(root, 'repo');
    worktree = join(root, 'repo-feature');
    mkdirSync(main);
    git(main, 'init', '-q');
    git(main, 'commit', '-q', '--allow-empty', '-m', 'start');
    git(main, 'worktree', 'add', '-q', '-b', 'feature', worktree);
    mkdirSync(join(worktree, 'src', 'deep'), { recursive: true });
    expect(cli(main, ['init']).code).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resolves a linked worktree to its main checkout, and nothing else', () => {
    expect(mainCheckoutOf(join(worktree, 'src', 'deep'))).toBe(main);
    expect(mainCheckoutOf(main)).toBeNull();
    expect(mainCheckoutOf(root)).toBeNull();
    expect(locateStore({ cwd: join(worktree, 'src') })).toMatchObject({ kind: 'sqlite', path: join(main, '.baton', 'baton.db') });
  });

  it('a .baton/ in a folder above the worktree does not hide the board of the main checkout', () => {
    const above = join(root, '.baton');
    mkdirSync(above);
    try {
      expect(locateStore({ cwd: join(worktree, 'src') })).toMatchObject({ path: join(main, '.baton', 'baton.db') });
    } finally {
      rmSync(above, { recursive: true });
    }
  });

  it('an agent in the worktree shares the board of the main checkout', async () => {
    const agent = await connect(join(worktree, 'src', 'deep'), { args: ['--worker', 'wt-agent'] });
    try {
      const created = await agent.call('create_task', { title: 'Made from a worktree', noBreakdown: true });
      expect(created.isError).toBe(false);
      const status = await agent.call('system_status');
      expect(status.data.store.location).toBe(join(main, '.baton', 'baton.db'));
    } finally {
      await agent.close();
    }
    const listed = json<{ tasks: { title: string }[] }>(cli(main, ['list', '--json']));
    expect(listed.tasks.map((t) => t.title)).toEqual(['Made from a worktree']);
    // Every command benefits, not only `baton mcp`.
    const fromWorktree = json<{ tasks: { title: string }[] }>(cli(worktree, ['list', '--json']));
    expect(fromWorktree.tasks.map((t) => t.title)).toEqual(['Made from a worktree']);
  });

  it('--db, and a store that init makes in the worktree itself, win over the shared one', () => {
    const own = join(root, 'own.db');
    expect(cli(worktree, ['--db', own, 'init']).code).toBe(0);
    expect(json<{ tasks: unknown[] }>(cli(worktree, ['--db', own, 'list', '--json'])).tasks).toEqual([]);
    // `init` always makes the store in the current folder (SPEC §1), even where one is shared.
    expect(cli(worktree, ['init']).code).toBe(0);
    expect(locateStore({ cwd: join(worktree, 'src') })).toMatchObject({ path: join(worktree, '.baton', 'baton.db') });
    expect(json<{ tasks: unknown[] }>(cli(worktree, ['list', '--json'])).tasks).toEqual([]);
    expect(json<{ tasks: unknown[] }>(cli(main, ['list', '--json'])).tasks).toHaveLength(1);
  });
});
