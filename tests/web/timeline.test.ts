import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../src/core/types.js';
import { timeline } from '../../web/src/lib/timeline.js';

let id = 0;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
const ev = (type: string, s: number, extra: Partial<TaskEvent> = {}): TaskEvent => ({
  id: ++id,
  taskId: 1,
  workerId: null,
  actor: 'user:ana',
  type,
  at: at(s),
  changes: {},
  data: null,
  ...extra,
});
const w1 = { workerId: 'w1', actor: 'w1' };

/** The task page's history in sentences (web/src/lib/timeline.ts). */
describe('timeline sentences', () => {
  it('folds renewals and repeated reports, says who did what and how long it took', () => {
    const lines = timeline([
      ev('created', 0, { changes: { status: [null, 'queued'] } }),
      ev('claimed', 10, { ...w1, changes: { status: ['queued', 'executing'], attempts: [0, 1] } }),
      ...Array.from({ length: 12 }, (_, i) => ev('lease_renewed', 20 + i, { ...w1, changes: { lease: [{}, {}] } })),
      ev('progress', 40, { ...w1, changes: { progress: [0, 40], notes: [null, [{ text: 'Writing tests' }]] } }),
      ev('progress', 41, { ...w1, changes: { progress: [40, 40] } }),
      ev('progress', 42, { ...w1, changes: { progress: [40, 40] } }),
      ev('completed', 190, { ...w1, changes: { status: ['executing', 'completed'], progress: [40, 100] } }),
    ]).map((l) => [l.text, l.count]);
    expect(lines).toEqual([
      ['user:ana created it', 1],
      ['w1 claimed it', 1],
      ['w1 renewed the lease 12 times', 12],
      ['progress 40 % — Writing tests (reported 3 times)', 3],
      ['completed by w1 in 3m', 1],
    ]);
  });

  it('says what an edit changed, why a reservation ended, and that a failure will be retried', () => {
    const texts = timeline([
      ev('updated', 1, { changes: { title: ['Old', 'New'], tags: [['a'], ['a', 'b']], estimateMinutes: [60, 270] } }),
      ev('assigned', 2, { data: { worker: 'w2' } }),
      ev('unassigned', 3, { actor: 'system', data: { worker: 'w2', reason: 'worker_offline' } }),
      ev('claimed', 4, { ...w1, changes: { attempts: [0, 2] } }),
      ev('failed', 5, { ...w1, changes: { status: ['executing', 'queued'], lastError: [null, 'disk full'] } }),
      ev('dependency_added', 6, { changes: { dependsOn: [[3], [3, 7]] } }),
    ]).map((l) => l.text);
    expect(texts).toEqual([
      'user:ana renamed it from “Old” to “New”; tags +b; estimate 1h → 4h30m',
      'user:ana reserved it for w2',
      'reservation for w2 dropped: the worker went offline',
      'w1 claimed it (attempt 2)',
      'w1 failed it: disk full — it will be retried',
      'user:ana made it wait for #7',
    ]);
  });
});
