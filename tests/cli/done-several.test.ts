import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from './run-cli.js';

describe('baton done with several ids', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('completes each as if alone, reports a refusal per task, and exits with the first refusal’s code', () => {
    const { dir, cleanup } = freshProject();
    cleanups.push(cleanup);
    for (const title of ['a', 'b', 'c']) json(cli(dir, ['add', title, '--json']));
    json(cli(dir, ['next', '--worker', 'w1', '--json']));
    json(cli(dir, ['next', '--worker', 'w1', '--json']));

    const run = cli(dir, ['done', '1', '3', '2', '--worker', 'w1', '--result', '{"ok":true}', '--json']);
    expect(run.code, run.stderr).toBe(4);
    const { results } = JSON.parse(run.stdout) as {
      results: { id: number; ok: boolean; task?: Task; error?: { code: string } }[];
    };
    expect(results.map((r) => [r.id, r.ok, r.task?.status ?? r.error?.code])).toEqual([
      [1, true, 'completed'],
      [3, false, 'illegal_transition'],
      [2, true, 'completed'],
    ]);
    expect(results[0]?.task?.result).toEqual({ ok: true });

    const text = cli(dir, ['done', '3', '99', '--worker', 'w1']);
    expect(text.stdout).toMatch(/#3 refused: .*\(illegal_transition\)\n#99 refused: .*\(task_not_found\)/);

    const withToken = cli(dir, ['done', '1', '2', '--worker', 'w1', '--token', '1', '--json']);
    expect(withToken.code).toBe(2);
    expect(withToken.stderr).toContain('token');
  });
});
