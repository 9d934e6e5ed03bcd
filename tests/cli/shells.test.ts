import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskDetail } from '../../src/app/baton.js';
import { openBaton } from '../../src/app/open.js';
import type { TaskEvent } from '../../src/core/types.js';
import { childEnv } from '../helpers/sealed.js';
import { BIN, cli, freshProject, json } from './run-cli.js';

/**
 * Several terminals running `baton next` / `baton done` in shell loops on one store: nobody gets
 * the same task, no update is lost, and no "database is locked" ever reaches a user.
 */
describe('many shells on one store', () => {
  let dir: string;
  let cleanup: () => void;
  const SHELLS = 4;
  const TASKS = 60;

  beforeAll(async () => {
    ({ dir, cleanup } = freshProject());
    // Added in this process: 60 `baton add` processes in a row could outlast the hook's timeout on
    // a busy machine, and adding is not what this test is about.
    const baton = await openBaton({ db: join(dir, '.baton', 'baton.db'), actor: 'test' });
    for (let i = 1; i <= TASKS; i++) await baton.createTask({ title: `Task ${i}` });
    await baton.close();
  });
  const shells: ChildProcess[] = [];
  afterAll(() => {
    // A run cut short (a timeout) must not leave loops starting `baton` after their folder is gone.
    for (const shell of shells) {
      if (shell.pid && shell.exitCode === null && shell.signalCode === null) {
        try {
          process.kill(-shell.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    cleanup();
  });

  it('each task is claimed and completed exactly once', async () => {
    const script = join(dir, 'loop.sh');
    writeFileSync(
      script,
      [
        'set -u',
        'while true; do',
        '  out=$(node "$BIN" next --worker "$W" --json) || exit 11',
        '  [ "$out" = "null" ] && exit 0',
        '  id=$(printf "%s\\n" "$out" | sed -n \'s/^  "id": \\([0-9]*\\),$/\\1/p\')',
        '  node "$BIN" progress "$id" 50 --worker "$W" > /dev/null || exit 12',
        '  node "$BIN" done "$id" --worker "$W" > /dev/null || exit 13',
        '  echo "$id" >> "$OUT"',
        'done',
      ].join('\n'),
    );
    const runs = Array.from(
      { length: SHELLS },
      (_, i) =>
        new Promise<{ code: number; stderr: string }>((resolve) => {
          // Its own process group, so that it and the `baton` it runs can be stopped together. The
          // store is named: a loop outliving its folder then fails rather than finding another.
          const child = spawn('bash', [script], {
            cwd: dir,
            detached: true,
            env: childEnv({ BIN, W: `shell-${i}`, OUT: join(dir, `done-${i}.txt`), BATON_DB: join(dir, '.baton', 'baton.db') }),
          });
          shells.push(child);
          let stderr = '';
          child.stderr.on('data', (d) => {
            stderr += d;
          });
          child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
        }),
    );
    const results = await Promise.all(runs);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const { events } = json<{ events: TaskEvent[] }>(cli(dir, ['export']));
    const count = (type: string) => {
      const per = new Map<number, number>();
      for (const e of events) if (e.type === type && e.taskId !== null) per.set(e.taskId, (per.get(e.taskId) ?? 0) + 1);
      return per;
    };
    const completed = count('completed');
    expect(completed.size).toBe(TASKS);
    expect([...completed.values()].every((n) => n === 1)).toBe(true);
    expect([...count('claimed').values()].every((n) => n === 1)).toBe(true);
    // every progress report landed (no lost update)
    expect([...count('progress').values()].filter((n) => n === 1)).toHaveLength(TASKS);
    const sample = json<TaskDetail>(cli(dir, ['show', '1', '--json']));
    expect(sample.task.status).toBe('completed');
    // the work was actually shared between the shells
    const byWorker = new Set(events.filter((e) => e.type === 'completed').map((e) => e.workerId));
    expect(byWorker.size).toBeGreaterThan(1);
  }, 180_000);
});
