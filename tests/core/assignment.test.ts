import { describe, expect, it } from 'vitest';
import {
  assignmentOf,
  type Bid,
  everyoneBid,
  offerFor,
  type RankedBid,
  rankBids,
  tagsWithAssignment,
} from '../../src/core/assignment.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy.js';
import { NO_STATS, type PushCandidate, scoreCandidates } from '../../src/core/push.js';
import type { QueueSettings } from '../../src/core/queues.js';

const queue = (assignment: QueueSettings['assignment']): QueueSettings => ({
  maxSize: null,
  maxExecuting: null,
  timeoutSeconds: null,
  maxRetries: null,
  retry: null,
  priorityBoost: 0,
  alertOver: null,
  assignment,
});
const policy = (over: Partial<Policy> = {}): Policy => ({ ...DEFAULT_POLICY, ...over });

describe('the assignment mode of a task', () => {
  const store = policy({ assignment: 'push', queues: { bids: queue('auction'), plain: queue(null) } });
  const cases: [string, { tags: string[]; queue: string }, string][] = [
    ['the store’s by default', { tags: [], queue: 'default' }, 'push'],
    ['a queue’s own', { tags: [], queue: 'bids' }, 'auction'],
    ['a queue without one: the store’s', { tags: [], queue: 'plain' }, 'push'],
    ['the task’s own beats its queue’s', { tags: ['assignment:pull'], queue: 'bids' }, 'pull'],
    ['an unknown mode in a tag is ignored', { tags: ['assignment:lottery'], queue: 'bids' }, 'auction'],
  ];
  it.each(cases)('%s', (_name, task, mode) => expect(assignmentOf(task, store)).toBe(mode));

  it('what a ready task is offered: push, auction, or nothing', () => {
    const of = (mode: Policy['assignment'], priority: 'critical' | 'normal') =>
      offerFor({ tags: [], queue: 'default', priority }, policy({ assignment: mode }));
    expect([of('pull', 'critical'), of('hybrid', 'normal'), of('hybrid', 'critical')]).toEqual([null, null, 'push']);
    expect([of('push', 'normal'), of('auction', 'critical')]).toEqual(['push', 'auction']);
  });

  it('a task created with a mode keeps one assignment tag', () => {
    expect(tagsWithAssignment(['x', 'assignment:push'], 'auction')).toEqual(['x', 'assignment:auction']);
    expect(tagsWithAssignment(['x'], undefined)).toEqual(['x']);
  });
});

const bid = (id: number, workerId: string, score: number, load: number, atSecond: number): RankedBid => ({
  id,
  offerId: 1,
  taskId: 1,
  workerId,
  score,
  etaSeconds: null,
  note: null,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, atSecond)).toISOString(),
  load,
});

describe('ranking bids: score, then load, then earliest', () => {
  const cases: [string, RankedBid[], string[]][] = [
    ['highest score first', [bid(1, 'a', 0.3, 0, 1), bid(2, 'b', 0.9, 0, 2)], ['b', 'a']],
    ['same score: the less loaded', [bid(1, 'a', 0.5, 2, 1), bid(2, 'b', 0.5, 0, 2)], ['b', 'a']],
    ['same score and load: the earliest', [bid(1, 'a', 0.5, 1, 3), bid(2, 'b', 0.5, 1, 2)], ['b', 'a']],
    ['a better score beats a lighter load', [bid(1, 'a', 0.6, 3, 1), bid(2, 'b', 0.5, 0, 0)], ['a', 'b']],
    ['no bids', [], []],
  ];
  it.each(cases)('%s', (_name, bids, order) => expect(rankBids(bids).map((b) => b.workerId)).toEqual(order));

  it('closes early only once every capable online worker bid', () => {
    const bids: Pick<Bid, 'workerId'>[] = [{ workerId: 'a' }, { workerId: 'b' }];
    expect(everyoneBid(['a', 'b'], bids)).toBe(true);
    expect(everyoneBid(['a', 'b', 'c'], bids)).toBe(false);
    // Nobody able to bid: the window decides.
    expect(everyoneBid([], bids)).toBe(false);
  });
});

describe('scoring every candidate, explained', () => {
  const w = (id: string, caps: string[], extra: Partial<PushCandidate> = {}): PushCandidate => ({
    id,
    capabilities: caps,
    online: true,
    load: 0,
    concurrency: 1,
    stats: NO_STATS,
    ...extra,
  });
  const cases: [string, string[], PushCandidate[], [string, number | null, string][]][] = [
    [
      'eligible ones ranked, the others after with why not',
      ['gpu'],
      [w('z-off', ['gpu'], { online: false }), w('b', ['gpu', 'cuda']), w('a', ['gpu']), w('c', ['cpu'])],
      [
        ['a', 1, 'exact capability fit'],
        ['b', 2, '1 capabilities unused'],
        ['c', null, 'lacks gpu'],
        ['z-off', null, 'offline'],
      ],
    ],
    [
      'a full worker is not eligible',
      [],
      [w('busy', [], { load: 1 }), w('free', [], { load: 1, concurrency: 2 })],
      [
        ['free', 1, 'exact capability fit'],
        ['busy', null, 'no free slot (1/1)'],
      ],
    ],
    [
      'history counts after fit and load',
      [],
      [w('new', []), w('proven', [], { stats: { completed: 9, failed: 1, meanSeconds: 12 } })],
      [
        ['proven', 1, 'success 0.83 over 10 tasks'],
        ['new', 2, 'no history (success 0.50)'],
      ],
    ],
  ];
  it.each(cases)('%s', (_name, task, candidates, expected) => {
    const scored = scoreCandidates(task, candidates);
    expect(scored.map((c) => [c.id, c.rank])).toEqual(expected.map(([id, rank]) => [id, rank]));
    for (const [i, [, , reason]] of expected.entries()) expect(scored[i]?.reasons).toContain(reason);
  });
});
