import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { ManualClock } from '../../src/core/clock.js';
import { sealedFolder } from '../helpers/sealed.js';

/** Cron triggers of workflows on a clock the test moves (a SQLite store goes by the clock it was opened with). */

let dir: string;
let clock: ManualClock;
let baton: LocalBaton;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const START = Date.UTC(2030, 0, 1, 10, 30);

const NIGHTLY = `name: nightly
params:
  label: { type: string, required: true }
steps:
  - id: sync
    task: { title: "Sync \${{ params.label }}" }
triggers:
  - cron: "0 3 * * *"
    timezone: Europe/Paris
    params: { label: scheduled }
`;

beforeEach(async () => {
  dir = sealedFolder('baton-trigger-clock-');
  clock = new ManualClock(START);
  baton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'test', clock });
});

afterEach(async () => {
  await baton.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a cron trigger fires at its time in its time zone, and not a moment before', async () => {
  await baton.addWorkflow(NIGHTLY);
  // 03:00 in Paris on 2 January 2030 is 02:00 UTC.
  const due = Date.UTC(2030, 0, 2, 2);
  expect((await baton.listWorkflows())[0]?.nextRunAt).toBe(iso(due));
  await clock.advance(due - START - 1);
  await baton.expireLeases();
  expect(await baton.listRuns({ name: 'nightly' })).toEqual([]);
  await clock.advance(1);
  await baton.expireLeases();
  const [run] = await baton.listRuns({ name: 'nightly' });
  expect(run?.params).toEqual({ label: 'scheduled' });
  const summary = (await baton.listWorkflows())[0];
  expect(summary).toMatchObject({ nextRunAt: iso(due + 24 * HOUR), lastTriggeredRun: run?.id, lastTriggeredAt: iso(due) });
  // Sweeping again at the same time starts nothing more.
  await baton.expireLeases();
  expect(await baton.listRuns({ name: 'nightly' })).toHaveLength(1);
});

it('after downtime, one catch-up run starts and the missed fire times are skipped, not replayed', async () => {
  await baton.addWorkflow(NIGHTLY);
  await clock.advance(10 * 24 * HOUR);
  await baton.expireLeases();
  await baton.expireLeases();
  expect(await baton.listRuns({ name: 'nightly' })).toHaveLength(1);
  const now = START + 10 * 24 * HOUR;
  // The next fire time is the first after now, not one of the nine missed ones.
  expect((await baton.listWorkflows())[0]?.nextRunAt).toBe(iso(Date.UTC(2030, 0, 12, 2)));
  expect(Date.parse((await baton.listWorkflows())[0]?.nextRunAt as string)).toBeGreaterThan(now);
});

it('a new version starts its triggers afresh; a refused param is a trigger_failed event, not a run', async () => {
  await baton.addWorkflow(NIGHTLY);
  await baton.addWorkflow(NIGHTLY.replace('"0 3 * * *"', '"0 12 * * *"'));
  // Version 2 fires at noon in Paris (11:00 UTC), today; version 1's time no longer counts.
  expect((await baton.listWorkflows())[0]?.nextRunAt).toBe(iso(Date.UTC(2030, 0, 1, 11)));
  await baton.addWorkflow(`name: follow
params:
  version: { type: string, required: true }
steps:
  - id: ship
    task: { title: "Ship \${{ params.version }}" }
triggers:
  - event: { type: task.completed }
    params: { version: "\${{ event.task.result.version }}" }
`);
  const task = await baton.createTask({ title: 'Build' });
  const claimed = await baton.claimTask(task.id, { workerId: 'w1' });
  await baton.complete(task.id, { workerId: 'w1', token: claimed.lease?.token as number, result: { size: 1 } });
  await baton.expireLeases();
  expect(await baton.listRuns({ name: 'follow' })).toEqual([]);
  const failed = (await baton.events({ limit: 1_000 })).filter((e) => e.type === 'trigger_failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]?.data).toMatchObject({ workflow: 'follow', version: 1, trigger: { kind: 'event', index: 0 } });
  expect(String(failed[0]?.data?.error)).toContain('version');
});
