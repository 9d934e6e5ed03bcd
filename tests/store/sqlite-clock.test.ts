import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { ManualClock } from '../../src/core/clock.js';
import type { BatonError } from '../../src/core/errors.js';

let dir: string;
let clock: ManualClock;
let baton: LocalBaton;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-clock-'));
  clock = new ManualClock();
  baton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'test', clock });
});

afterEach(async () => {
  await baton.close();
  rmSync(dir, { recursive: true, force: true });
});

const iso = (ms: number) => new Date(ms).toISOString();

it('a lease runs out on the clock the store was opened with, and another worker takes the task', async () => {
  const task = await baton.createTask({ title: 'Held by a worker that went quiet' });
  expect(task.createdAt).toBe(iso(clock.now()));
  const first = await baton.claim({ workerId: 'w1', leaseSeconds: 30 });
  expect(first?.lease?.expiresAt).toBe(iso(clock.now() + 30_000));

  await clock.advance(29_000);
  expect(await baton.claim({ workerId: 'w2' })).toBeNull();

  await clock.advance(2_000);
  const refusal = await baton.heartbeat(task.id, { workerId: 'w1', token: 1 }).catch((e: BatonError) => e);
  expect((refusal as BatonError).code).toBe('lease_expired');
  const second = await baton.claim({ workerId: 'w2' });
  expect(second).toMatchObject({ id: task.id, status: 'executing', leaseToken: 2 });
  expect(second?.lease?.owner).toBe('w2');
  expect(second?.updatedAt).toBe(iso(clock.now()));
});

it('a delayed task becomes ready when the clock reaches its runAfter', async () => {
  const task = await baton.createTask({ title: 'Later', runAfter: iso(clock.now() + 60_000) });
  expect((await baton.listTasks({ ready: true })).tasks).toEqual([]);
  expect(await baton.claim({ workerId: 'w1' })).toBeNull();

  await clock.advance(60_000);
  expect((await baton.listTasks({ ready: true })).tasks.map((t) => t.id)).toEqual([task.id]);
  expect((await baton.claim({ workerId: 'w1' }))?.id).toBe(task.id);
});
