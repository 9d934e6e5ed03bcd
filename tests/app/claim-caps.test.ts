import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';

let dir: string;
let baton: LocalBaton | null = null;
afterEach(async () => {
  await baton?.close();
  baton = null;
  rmSync(dir, { recursive: true, force: true });
});

async function open(config?: string): Promise<LocalBaton> {
  dir = mkdtempSync(join(tmpdir(), 'baton-caps-'));
  if (config) writeFileSync(join(dir, 'config.yaml'), config);
  baton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'test' });
  return baton;
}

async function addTasks(b: LocalBaton, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await b.createTask({ title: `t${i}`, noBreakdown: true });
}

describe('claim caps: one worker cannot take the queue', () => {
  it('takes at most 100 tasks in one claim by default, whatever limit it asks; the rest stay ready', async () => {
    const b = await open();
    await addTasks(b, 130);
    const first = await b.claimMany({ workerId: 'greedy', limit: 1000 });
    expect(first).toHaveLength(100);
    expect((await b.listTasks({ status: ['queued'] })).total).toBe(30);
  });

  it('refuses a lease longer than a day by default, claiming nothing', async () => {
    const b = await open();
    await addTasks(b, 2);
    await expect(b.claimMany({ workerId: 'greedy', limit: 2, leaseSeconds: 7 * 86_400 })).rejects.toMatchObject({
      code: 'invalid_argument',
      details: { field: 'leaseSeconds' },
    });
    expect((await b.listTasks({ status: ['queued'] })).total).toBe(2);
    expect((await b.claim({ workerId: 'fair', leaseSeconds: 86_400 }))?.lease?.seconds).toBe(86_400);
  });

  it('follows the store config: claims.maxTasks and claims.maxLease, shown by describe()', async () => {
    const b = await open('claims: { maxTasks: 3, maxLease: 10m }\n');
    await addTasks(b, 5);
    expect((await b.describe()).policy.claims).toEqual({ maxTasks: 3, maxLeaseSeconds: 600 });
    expect(await b.claimMany({ workerId: 'w', limit: 5 })).toHaveLength(3);
    await expect(b.claim({ workerId: 'w', leaseSeconds: 601 })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
