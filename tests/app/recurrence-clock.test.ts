import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { ManualClock } from '../../src/core/clock.js';
import type { Task } from '../../src/core/types.js';
import { sealedFolder } from '../helpers/sealed.js';

/** Recurring tasks on a clock the test moves (a SQLite store goes by the clock it was opened with). */

let dir: string;
let clock: ManualClock;
let baton: LocalBaton;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeEach(async () => {
  dir = sealedFolder('baton-recurrence-');
  clock = new ManualClock(Date.UTC(2030, 0, 1, 10, 30));
  baton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'test', clock });
});

afterEach(async () => {
  await baton.close();
  rmSync(dir, { recursive: true, force: true });
});

async function occurrences(template: number): Promise<Task[]> {
  return (await baton.listTasks({ limit: 500 })).tasks.filter((t) => t.recurrence?.templateId === template);
}

it('after downtime, one catch-up occurrence runs and the missed fire times are skipped, not replayed', async () => {
  const template = await baton.createTask({ title: 'Hourly sync', every: '0 * * * *' });
  const [first] = await occurrences(template.id);
  expect(first?.runAfter).toBe(iso(Date.UTC(2030, 0, 1, 11)));

  // Ten days pass with nothing running: 240 fire times go by.
  await clock.advance(10 * 24 * HOUR);
  await baton.listTasks();
  await baton.listTasks();
  const after = await occurrences(template.id);
  expect(after).toHaveLength(2);
  // The one created before the downtime is the catch-up (claimable now); the next is the first fire time ahead.
  expect(after[1]?.runAfter).toBe(iso(Date.UTC(2030, 0, 11, 11)));
  expect(after[1]?.createdAt).toBe(iso(clock.now()));
  const claimed = await baton.claim({ workerId: 'w' });
  expect(claimed?.id).toBe(first?.id);
  expect(await baton.claim({ workerId: 'w' })).toBeNull();
});

it('the server sweep, claims and reads create each occurrence when its predecessor falls due, in the time zone given', async () => {
  const template = await baton.createTask({ title: 'Paris morning', every: '0 9 * * *', timezone: 'Europe/Paris' });
  const [first] = await occurrences(template.id);
  // 09:00 in Paris in January is 08:00 UTC; 10:30 UTC has passed it, so the first is tomorrow.
  expect(first?.runAfter).toBe(iso(Date.UTC(2030, 0, 2, 8)));
  await clock.advance(HOUR);
  await baton.expireLeases();
  expect(await occurrences(template.id)).toHaveLength(1);
  await clock.set(Date.UTC(2030, 0, 2, 8));
  expect((await baton.claim({ workerId: 'w' }))?.id).toBe(first?.id);
  const both = await occurrences(template.id);
  expect(both.map((o) => o.runAfter)).toEqual([null, iso(Date.UTC(2030, 0, 3, 8))]);
  // In July Paris is UTC+2.
  await clock.set(Date.UTC(2030, 6, 1, 12));
  await baton.expireLeases();
  expect((await occurrences(template.id)).at(-1)?.runAfter).toBe(iso(Date.UTC(2030, 6, 2, 7)));
});

it('a paused template makes no occurrences; resumed, it goes on from the next fire time', async () => {
  const template = await baton.createTask({ title: 'Daily', every: '0 12 * * *' });
  await baton.pauseTask(template.id);
  await clock.advance(3 * 24 * HOUR);
  await baton.expireLeases();
  expect(await occurrences(template.id)).toHaveLength(1);
  const resumed = await baton.resumeTask(template.id);
  expect(resumed.status).toBe('blocked');
  await baton.expireLeases();
  const all = await occurrences(template.id);
  expect(all).toHaveLength(2);
  expect(all[1]?.runAfter).toBe(iso(Date.UTC(2030, 0, 4, 12)));
  expect(await baton.claim({ workerId: 'w', capabilities: [] })).toMatchObject({ id: all[0]?.id });
});
