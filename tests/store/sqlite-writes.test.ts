import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBaton } from '../../src/app/open.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { newTaskRecord } from '../../src/core/task-records.js';
import type { NewTask } from '../../src/store/store.js';

describe('SQLite: several handles on one file in one process', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('interleaved writes through two handles all land, without stalling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-handles-'));
    dirs.push(dir);
    const db = join(dir, 'baton.db');
    const a = await openBaton({ db, create: true });
    const b = await openBaton({ db });
    // A stall could not resolve itself: the handle waiting on SQLite's lock would block the event
    // loop the other needs to commit, until the busy timeout failed the write. So every write
    // landing shows there was none; the time it takes is bench/latency.mjs's to measure.
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).createTask({ title: `Task ${i}` })));
    expect(new Set(created.map((t) => t.id)).size).toBe(40);
    const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).claim({ workerId: `w${i % 4}` })));
    expect(new Set(claims.map((t) => t?.id)).size).toBe(40);
    await a.close();
    await b.close();
  });

  it('transactions sharing a commit stay independent: a failing one writes nothing, the others land', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-group-'));
    dirs.push(dir);
    const baton = await openBaton({ db: join(dir, 'baton.db'), create: true });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        baton.store.transaction(async (tx) => {
          const task = await tx.insertTask(newTask(`Task ${i}`, tx.now));
          if (i % 3 === 0) throw new Error(`refused ${i}`);
          return task.id;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
    const page = await baton.listTasks({ limit: 100 });
    expect(page.total).toBe(20);
    expect(page.tasks.map((t) => t.title).some((t) => /Task (0|3|6|9)$/.test(t))).toBe(false);
    const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(page.tasks.map((t) => t.id).sort((a, b) => a - b)).toEqual(fulfilled.sort((a, b) => a - b));
    await baton.close();
  });
});

function newTask(title: string, now: number): NewTask {
  return newTaskRecord({ title }, { now, policy: DEFAULT_POLICY, actor: null, complexity: 'simple', depsOpen: false });
}
