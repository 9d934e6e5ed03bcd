import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBaton } from '../../src/app/open.js';
import { sealedFolder } from '../helpers/sealed.js';
import { freshSchema } from './pg-test-db.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/**
 * A server sweeps on its own loop while requests claim. A sweep that pushes (or looks at) a task
 * holds its row for a moment, and a claim skips rows another transaction holds: without care, a
 * worker claiming just then hears "nothing to claim" while the task sits queued for it.
 */
describe('a claim that meets a sweep or push in flight', () => {
  it('still gets the queued task: a worker coming online claims the critical task whose reservation just ended', async () => {
    const cwd = sealedFolder('baton-claim-push');
    writeFileSync(join(cwd, '.baton', 'config.yaml'), 'assignment: hybrid\nheartbeatTimeout: 1\n');
    const db = await freshSchema();
    cleanup.push(db.cleanup);
    const baton = await openBaton({ cwd, db: db.url });
    cleanup.push(() => baton.close());

    // The server's sweep loop, without its pause: the window is as wide as it can be.
    let stop = false;
    const loop = (async () => {
      while (!stop) await baton.expireLeases();
    })();
    const misses: number[] = [];
    try {
      for (let i = 0; i < 150; i++) {
        await baton.registerWorker({ id: `b-${i}`, capabilities: ['docker'] });
        const task = await baton.createTask({ title: `Deploy ${i}`, priority: 'critical', capabilities: ['docker'] });
        expect(task.reservedFor).toBe(`b-${i}`);
        await baton.unregisterWorker(`b-${i}`);
        const claimed = await baton.claim({ workerId: `c-${i}`, capabilities: ['docker'] });
        if (claimed?.id !== task.id) misses.push(i);
        const held = claimed ?? (await baton.claim({ workerId: `c-${i}`, capabilities: ['docker'] }));
        if (held) await baton.complete(held.id, { workerId: `c-${i}`, token: held.lease!.token });
        await baton.unregisterWorker(`c-${i}`);
      }
    } finally {
      stop = true;
      await loop;
    }
    expect(misses).toEqual([]);
  }, 60_000);
});
