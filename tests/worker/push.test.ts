import { describe, expect, it } from 'vitest';
import { NO_STATS, type PushCandidate, pickWorker, statsByWorker, successRate } from '../../src/core/push.js';

const w = (id: string, caps: string[], extra: Partial<PushCandidate> = {}): PushCandidate => ({
  id,
  capabilities: caps,
  online: true,
  load: 0,
  concurrency: 1,
  stats: NO_STATS,
  ...extra,
});
const stats = (completed: number, failed: number, meanSeconds: number | null = null) => ({ completed, failed, meanSeconds });

interface Scenario {
  name: string;
  task: string[];
  workers: PushCandidate[];
  expected: string | null;
}

const SCENARIOS: Scenario[] = [
  { name: 'nobody registered', task: [], workers: [], expected: null },
  { name: 'only capable workers qualify', task: ['python'], workers: [w('a', ['react']), w('b', ['python'])], expected: 'b' },
  {
    name: 'all capabilities are needed',
    task: ['python', 'api'],
    workers: [w('a', ['python']), w('b', ['api', 'python'])],
    expected: 'b',
  },
  { name: 'no capable worker', task: ['rust'], workers: [w('a', ['python'])], expected: null },
  { name: 'offline workers are skipped', task: [], workers: [w('a', [], { online: false }), w('b', [])], expected: 'b' },
  {
    name: 'full workers are skipped',
    task: [],
    workers: [w('a', [], { load: 1 }), w('b', [], { load: 1, concurrency: 2 })],
    expected: 'b',
  },
  {
    name: 'every worker full',
    task: [],
    workers: [w('a', [], { load: 1 }), w('b', [], { load: 4, concurrency: 4 })],
    expected: null,
  },
  {
    name: 'tightest fit beats lighter load',
    task: ['react'],
    workers: [
      w('generalist', ['react', 'python', 'go'], { concurrency: 4 }),
      w('specialist', ['react'], { load: 1, concurrency: 2 }),
    ],
    expected: 'specialist',
  },
  {
    name: 'same fit: lighter load share wins',
    task: ['react'],
    workers: [w('a', ['react'], { load: 2, concurrency: 4 }), w('b', ['react'], { load: 1, concurrency: 4 })],
    expected: 'b',
  },
  {
    name: 'same fit and load: better success rate wins',
    task: ['react'],
    workers: [w('a', ['react'], { stats: stats(5, 5, 10) }), w('b', ['react'], { stats: stats(9, 1, 60) })],
    expected: 'b',
  },
  {
    name: 'a record beats no record only when it is good',
    task: [],
    workers: [w('new', []), w('poor', [], { stats: stats(1, 3) })],
    expected: 'new',
  },
  {
    name: 'same success rate: faster wins',
    task: ['sql'],
    workers: [w('slow', ['sql'], { stats: stats(4, 0, 120) }), w('fast', ['sql'], { stats: stats(4, 0, 30) })],
    expected: 'fast',
  },
  {
    name: 'unknown speed ranks after known',
    task: [],
    workers: [w('a', [], { stats: stats(0, 0, null) }), w('b', [], { stats: stats(0, 0, 500) })],
    expected: 'b',
  },
  { name: 'full tie: lowest id', task: [], workers: [w('w2', []), w('w1', [])], expected: 'w1' },
];

describe('hybrid push: which idle worker gets a critical task', () => {
  it.each(SCENARIOS)('$name', ({ task, workers, expected }) => {
    expect(pickWorker(task, workers)?.id ?? null).toBe(expected);
    // The choice does not depend on the order workers are listed in.
    expect(pickWorker(task, [...workers].reverse())?.id ?? null).toBe(expected);
  });

  it('success rate is smoothed: no history is 0.5, a long record approaches the observed rate', () => {
    expect(successRate(stats(0, 0))).toBe(0.5);
    expect(successRate(stats(1, 0))).toBeCloseTo(2 / 3);
    expect(successRate(stats(98, 0))).toBeCloseTo(0.99);
  });

  it('statistics count only finished tasks with the same capabilities, per worker', () => {
    const t = (assignee: string, caps: string[], status: string, seconds: number) => ({
      assignee,
      capabilities: caps,
      status,
      startedAt: '2030-01-01T00:00:00.000Z',
      completedAt:
        status === 'completed' ? new Date(Date.parse('2030-01-01T00:00:00.000Z') + seconds * 1000).toISOString() : null,
    });
    const finished = [
      t('a', ['api', 'python'], 'completed', 10),
      t('a', ['python', 'api'], 'completed', 30),
      t('a', ['python', 'api'], 'failed', 0),
      t('a', ['react'], 'completed', 999),
      t('b', ['python', 'api'], 'failed', 0),
      t('b', ['python'], 'completed', 5),
    ];
    const s = statsByWorker(finished, ['python', 'api']);
    expect(s.get('a')).toEqual({ completed: 2, failed: 1, meanSeconds: 20 });
    expect(s.get('b')).toEqual({ completed: 0, failed: 1, meanSeconds: null });
  });
});
