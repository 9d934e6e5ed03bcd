import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealedFolder } from '../helpers/sealed.js';
import { freshSchema, openPg } from '../postgres/pg-test-db.js';
import { startWorker } from './helpers.js';

/**
 * PostgreSQL keeps no NUL in text or JSON, and no lone surrogate: a worker that sent a command's
 * output as it came could not report the attempt, and the task stayed executing until its lease ran out.
 */
describe('output a store cannot keep', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  beforeEach(async () => {
    // A folder with its own .baton/: the worker keeps its attempt logs there, never in a parent's.
    dir = sealedFolder('baton-nul');
    db = await freshSchema();
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.cleanup();
  });

  const runOnce = async (command: string) => {
    const baton = await openPg({ db: db.url, create: true, actor: 'test' });
    try {
      const task = await baton.createTask({ title: 'odd output', command, maxRetries: 0 });
      const w = startWorker(dir, ['w1', '--once', '--db', db.url]);
      const code = await w.exited;
      expect(w.output()).not.toContain('error on');
      const shown = await baton.showTask(task.id);
      // `--once` exits 0 when its task completed, 1 when it did not.
      expect(code, w.output()).toBe(shown.task.status === 'completed' ? 0 : 1);
      return shown;
    } finally {
      await baton.close();
    }
  };

  it('a command printing NUL to stderr fails with its message, minus the NUL', async () => {
    const { task } = await runOnce(`printf 'broken\\0pipe\\n' >&2; exit 3`);
    expect(task.status).toBe('failed');
    expect(task.lastError).toBe('exit code 3: brokenpipe');
  });

  it('a result and a progress step with NUL and lone surrogates are kept, those characters replaced', async () => {
    const result = String.raw`{"out":"a\u0000b","\ud800":"c\udc00d","pair":"\ud83d\ude00"}`;
    const { task } = await runOnce(`printf '::progress 50 half\\0way\\n'; echo '::result ${result}'`);
    expect(task.status).toBe('completed');
    expect(task.result).toEqual({ out: 'ab', '\uFFFD': 'c\uFFFDd', pair: '😀' });
    expect(task.checkpoints.map((c) => c.name)).toEqual(['halfway']);
  });
});
