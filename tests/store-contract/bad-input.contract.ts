import { describe, expect, it } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { Priority } from '../../src/core/types.js';
import { expectRefusedUnchanged, type StoreHarness } from './harness.js';

/** A store with something of everything a bad request could hit. */
interface Fixture {
  /** queued */
  queued: number;
  /** executing, held by `holder` with token `token` (its second claim) */
  leased: number;
  holder: string;
  token: number;
  /** awaiting review, submitted by `holder` */
  reviewing: number;
  /** a chain: chainEnd → chainMid → queued */
  chainEnd: number;
  missing: number;
}

async function fixture(baton: Baton): Promise<Fixture> {
  await baton.registerWorker({ id: 'w1' });
  const reviewing = await baton.createTask({ title: 'Needs review', priority: 'critical', review: true });
  const leased = await baton.createTask({ title: 'Leased', priority: 'high' });
  const queued = await baton.createTask({ title: 'Queued', priority: 'low' });
  const mid = await baton.createTask({ title: 'Mid', dependsOn: [queued.id] });
  const end = await baton.createTask({ title: 'End', dependsOn: [mid.id] });

  const r = (await baton.claim({ workerId: 'w1' }))!;
  await baton.complete(r.id, { workerId: 'w1', token: r.lease!.token });
  const first = (await baton.claim({ workerId: 'w1' }))!;
  await baton.release(first.id, { workerId: 'w1', token: first.lease!.token });
  const second = (await baton.claim({ workerId: 'w1' }))!;
  expect([r.id, first.id, second.id]).toEqual([reviewing.id, leased.id, leased.id]);
  return {
    queued: queued.id,
    leased: leased.id,
    holder: 'w1',
    token: second.lease!.token,
    reviewing: reviewing.id,
    chainEnd: end.id,
    missing: end.id + 1000,
  };
}

type Case = [name: string, code: string, field: string | undefined, call: (b: Baton, f: Fixture) => Promise<unknown>];

const CASES: Case[] = [
  ['an empty title', 'invalid_argument', 'title', (b) => b.createTask({ title: '' })],
  ['a whitespace-only title', 'invalid_argument', 'title', (b) => b.createTask({ title: ' \t ' })],
  ['a 201-character title', 'invalid_argument', 'title', (b) => b.createTask({ title: 'x'.repeat(201) })],
  ['an unknown priority', 'invalid_argument', 'priority', (b) => b.createTask({ title: 'x', priority: 'urgent' as Priority })],
  ['a negative estimate', 'invalid_argument', 'estimateMinutes', (b) => b.createTask({ title: 'x', estimateMinutes: -30 })],
  ['an unknown field', 'invalid_argument', undefined, (b) => b.createTask({ title: 'x', owner: 'me' } as never)],
  ['renaming to an empty title', 'invalid_argument', 'title', (b, f) => b.updateTask(f.queued, { title: '   ' })],
  [
    'an update to an unknown priority',
    'invalid_argument',
    'priority',
    (b, f) => b.updateTask(f.queued, { priority: 'p0' as Priority }),
  ],
  [
    'progress 101',
    'invalid_argument',
    'progress',
    (b, f) => b.reportProgress(f.leased, { workerId: f.holder, token: f.token, progress: 101 }),
  ],
  [
    'progress -1',
    'invalid_argument',
    'progress',
    (b, f) => b.reportProgress(f.leased, { workerId: f.holder, token: f.token, progress: -1 }),
  ],
  ['a dependency on itself', 'invalid_argument', 'dependsOn', (b, f) => b.addDependencies(f.queued, [f.queued])],
  ['a dependency cycle', 'dependency_cycle', 'dependsOn', (b, f) => b.addDependencies(f.queued, [f.chainEnd])],
  ['an unknown task id', 'task_not_found', undefined, (b, f) => b.cancelTask(f.missing)],
  ['an update of an unknown task', 'task_not_found', undefined, (b, f) => b.updateTask(f.missing, { title: 'x' })],
  ['an unknown dependency', 'task_not_found', undefined, (b, f) => b.addDependencies(f.queued, [f.missing])],
  ['an unknown parent', 'task_not_found', undefined, (b, f) => b.createTask({ title: 'x', parentId: f.missing })],
  ['completing an unknown task', 'task_not_found', undefined, (b, f) => b.complete(f.missing, { workerId: f.holder })],
  ['assigning to an unknown worker', 'worker_not_found', undefined, (b, f) => b.assignTask(f.queued, 'nobody')],
  ['a malformed worker id', 'invalid_argument', 'workerId', (b) => b.claim({ workerId: 'not a worker!' })],
  ['a worker id of 101 characters', 'invalid_argument', 'workerId', (b) => b.claim({ workerId: 'w'.repeat(101) })],
  ['assigning to a malformed worker id', 'invalid_argument', 'workerId', (b, f) => b.assignTask(f.queued, 'no one')],
  [
    'done by a worker not holding the lease',
    'not_lease_holder',
    undefined,
    (b, f) => b.complete(f.leased, { workerId: 'w2', token: f.token }),
  ],
  [
    'done with a stale token',
    'stale_token',
    undefined,
    (b, f) => b.complete(f.leased, { workerId: f.holder, token: f.token - 1 }),
  ],
  [
    'done with a token that is not a number',
    'invalid_argument',
    'token',
    (b, f) => b.complete(f.leased, { workerId: f.holder, token: 0 }),
  ],
  ['done on a task nobody claimed', 'illegal_transition', undefined, (b, f) => b.complete(f.queued, { workerId: f.holder })],
  [
    'failing without an error',
    'invalid_argument',
    'error',
    (b, f) => b.fail(f.leased, { workerId: f.holder, token: f.token, error: ' ' }),
  ],
  ['resuming a queued task', 'illegal_transition', undefined, (b, f) => b.resumeTask(f.queued)],
  [
    'reviewing a task not awaiting review',
    'illegal_transition',
    undefined,
    (b, f) => b.review(f.queued, { workerId: 'w2', pass: true }),
  ],
  ['reviewing your own work', 'invalid_reviewer', undefined, (b, f) => b.review(f.reviewing, { workerId: f.holder, pass: true })],
  [
    'an update against an old version',
    'version_mismatch',
    undefined,
    (b, f) => b.updateTask(f.queued, { title: 'x' }, { ifVersion: 1_000 }),
  ],
  ['a claim limit of 0', 'invalid_argument', 'limit', (b) => b.claimMany({ workerId: 'w1', limit: 0 })],
  ['a claim limit of 1001', 'invalid_argument', 'limit', (b) => b.claimMany({ workerId: 'w1', limit: 1001 })],
  ['a negative lease', 'invalid_argument', 'leaseSeconds', (b) => b.claim({ workerId: 'w1', leaseSeconds: -5 })],
  ['a wait of over an hour', 'invalid_argument', 'waitSeconds', (b) => b.claim({ workerId: 'w1', waitSeconds: 3601 })],
  [
    'a review score of 101',
    'invalid_argument',
    'score',
    (b, f) => b.review(f.reviewing, { workerId: 'w2', pass: true, score: 101 }),
  ],
  [
    'a cancel reason of 2001 characters',
    'invalid_argument',
    'reason',
    (b, f) => b.cancelTask(f.queued, { reason: 'x'.repeat(2001) }),
  ],
  ['a note of blanks', 'invalid_argument', 'text', (b, f) => b.addNote(f.queued, { text: '  ' })],
  ['an unknown field of a claim', 'invalid_argument', undefined, (b) => b.claim({ workerId: 'w1', lease: 5 } as never)],
  [
    'an unknown field of a heartbeat',
    'invalid_argument',
    undefined,
    (b, f) => b.heartbeat(f.leased, { workerId: f.holder, token: f.token, seconds: 60 } as never),
  ],
  [
    'an unknown field of a release',
    'invalid_argument',
    undefined,
    (b, f) => b.release(f.leased, { workerId: f.holder, token: f.token, reason: 'done' } as never),
  ],
  ['no dependencies to add', 'invalid_argument', 'dependsOn', (b, f) => b.addDependencies(f.queued, [])],
  ['registering a malformed worker id', 'invalid_argument', 'id', (b) => b.registerWorker({ id: 'bad id' })],
  ['events after a negative id', 'invalid_argument', 'afterId', (b) => b.events({ afterId: -1 })],
  ['listing 0 tasks', 'invalid_argument', 'limit', (b) => b.listTasks({ limit: 0 })],
  ['an unknown field of a list query', 'invalid_argument', undefined, (b) => b.listTasks({ owner: 'w1' } as never)],
  ['an unknown field of an events query', 'invalid_argument', undefined, (b) => b.events({ type: 'created' } as never)],
  ['an unknown cancel option', 'invalid_argument', undefined, (b, f) => b.cancelTask(f.queued, { force: true } as never)],
  ['an unknown breakdown option', 'invalid_argument', undefined, (b, f) => b.breakdown(f.queued, { depth: 2 } as never)],
];

/** SPEC §2: invalid input is refused with a clear, coded message and nothing is half-written. */
export function badInputContract(store: () => StoreHarness): void {
  describe('bad input is refused with its code and changes nothing', () => {
    it.each(CASES)('%s → %s', async (_, code, field, call) => {
      const baton = await store().open();
      const f = await fixture(baton);
      const err = await expectRefusedUnchanged(baton, () => call(baton, f), code, field);
      expect(err.message.length).toBeGreaterThan(0);
    });
  });
}
