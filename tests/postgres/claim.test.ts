import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { claimPatch, diff } from '../../src/core/lifecycle.js';
import type { Task } from '../../src/core/types.js';
import { freshSchema, openPg } from './pg-test-db.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function open(url: string): Promise<LocalBaton> {
  const baton = await openPg({ db: url, actor: 'tester' });
  cleanup.push(() => baton.close());
  return baton;
}

async function fresh(): Promise<string> {
  const db = await freshSchema();
  cleanup.push(db.cleanup);
  return db.url;
}

/** The `claimed` event the one-statement claim wrote must be what core `diff` says, key order included. */
async function expectClaimEventMatchesCore(baton: LocalBaton, before: Task, claimed: Task, leaseMs: number) {
  const events = await baton.events({ taskId: claimed.id });
  const event = events.filter((e) => e.type === 'claimed').at(-1)!;
  const now = Date.parse(event.at);
  const patch = claimPatch(before, claimed.assignee!, now, leaseMs);
  expect(JSON.stringify(event.changes)).toBe(JSON.stringify(diff(before, patch)));
  expect(claimed).toEqual({ ...before, ...patch, updatedAt: event.at, version: before.version + 1 });
}

describe('the one-statement claim', () => {
  it('sets the lease as core claimPatch does and writes the same event changes, for fresh, retried and reserved tasks', async () => {
    const baton = await open(await fresh());
    await baton.registerWorker({ id: 'w2' });
    const first = await baton.createTask({
      title: 'first',
      priority: 'critical',
      maxRetries: 2,
      retryPolicy: { policy: 'fixed', baseSeconds: 0.05, maxSeconds: 0.05, jitter: 0 },
    });
    const leaseMs = 120_000;

    const before1 = await baton.getTask(first.id);
    const c1 = (await baton.claim({ workerId: 'w1', leaseSeconds: leaseMs / 1000 }))!;
    await expectClaimEventMatchesCore(baton, before1, c1, leaseMs);

    // Failed with a backoff: runAfter is set and startedAt is kept on the next claim.
    await baton.fail(c1.id, { workerId: 'w1', token: c1.lease!.token, error: 'boom' });
    await new Promise((r) => setTimeout(r, 120));
    const before2 = await baton.getTask(first.id);
    expect(before2.runAfter).not.toBeNull();
    const c2 = (await baton.claim({ workerId: 'w3', leaseSeconds: leaseMs / 1000 }))!;
    expect(c2.id).toBe(first.id);
    await expectClaimEventMatchesCore(baton, before2, c2, leaseMs);

    // Reserved for w2: only w2 claims it, and the assignee does not change.
    const reserved = await baton.createTask({ title: 'for w2' });
    await baton.assignTask(reserved.id, 'w2');
    expect(await baton.claim({ workerId: 'w1' })).toBeNull();
    const before3 = await baton.getTask(reserved.id);
    const c3 = (await baton.claim({ workerId: 'w2', leaseSeconds: 1.5 }))!;
    expect(c3.id).toBe(reserved.id);
    await expectClaimEventMatchesCore(baton, before3, c3, 1500);
  });

  it('claimMany takes up to N best tasks in claim order, only those the worker is capable of', async () => {
    const baton = await open(await fresh());
    const low = await baton.createTask({ title: 'low', priority: 'low' });
    const crit = await baton.createTask({ title: 'crit', priority: 'critical', capabilities: ['gpu'] });
    const high = await baton.createTask({ title: 'high', priority: 'high' });
    const fit = await baton.createTask({ title: 'high, uses sql', priority: 'high', capabilities: ['sql'] });
    const got = await baton.claimMany({ workerId: 'w', capabilities: ['sql'], limit: 3 });
    // Same priority: the older one first (age comes before fit); the gpu task is out of reach.
    expect(got.map((t) => t.id)).toEqual([high.id, fit.id, low.id]);
    expect((await baton.getTask(crit.id)).status).toBe('queued');
    const events = await baton.events({});
    expect(events.filter((e) => e.type === 'claimed').map((e) => e.taskId)).toEqual([high.id, fit.id, low.id]);
  });

  it('two stores claiming in batches at once never share a task', async () => {
    const url = await fresh();
    const [a, b] = [await open(url), await open(url)];
    for (let i = 0; i < 200; i++) await a.createTask({ title: `t${i}` });
    const take = async (baton: LocalBaton, worker: string) => {
      const mine: number[] = [];
      for (;;) {
        const got = await baton.claimMany({ workerId: worker, limit: 7 });
        if (got.length === 0) return mine;
        mine.push(...got.map((t) => t.id));
      }
    };
    const results = await Promise.all([take(a, 'a1'), take(a, 'a2'), take(b, 'b1'), take(b, 'b2')]);
    const all = results.flat();
    expect(all.length).toBe(200);
    expect(new Set(all).size).toBe(200);
  }, 60_000);
});
