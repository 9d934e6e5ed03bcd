import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { claimRefusal, diagnoseStuck, type WorkerFacts, whyWaiting } from '../../src/core/waiting.js';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const LATER = '2026-01-01T12:05:00.000Z';

let nextId = 1;
function task(
  fields: Partial<Task>,
): Pick<Task, 'id' | 'status' | 'capabilities' | 'reservedFor' | 'runAfter' | 'attempts' | 'lastError'> {
  return {
    id: nextId++,
    status: 'queued',
    capabilities: [],
    reservedFor: null,
    runAfter: null,
    attempts: 0,
    lastError: null,
    ...fields,
  };
}
const worker = (id: string, capabilities: string[], online = true): WorkerFacts => ({ id, capabilities, online });

const CREW = [
  worker('worker_001', ['react', 'typescript', 'ui_design']),
  worker('worker_002', ['python', 'api_design', 'database']),
  worker('worker_003', ['docker', 'kubernetes', 'ci_cd']),
  worker('worker_004', ['security', 'authentication', 'encryption']),
];

describe('why a task waits', () => {
  it('names a reservation held for an offline worker', () => {
    const crew = [...CREW, worker('gone', ['react'], false)];
    expect(whyWaiting(task({ status: 'assigned', reservedFor: 'gone' }), crew, NOW)).toEqual({
      reason: 'reserved_offline',
      message: 'reserved for gone, who is offline',
      worker: 'gone',
    });
    expect(whyWaiting(task({ status: 'assigned', reservedFor: 'worker_001' }), crew, NOW)).toBeNull();
  });

  it('tells a retry backoff from a schedule, and says when no worker is online', () => {
    expect(whyWaiting(task({ runAfter: LATER, attempts: 1, lastError: 'boom' }), CREW, NOW)).toMatchObject({
      reason: 'backoff',
      until: LATER,
    });
    expect(whyWaiting(task({ runAfter: LATER }), CREW, NOW)).toMatchObject({ reason: 'scheduled', until: LATER });
    expect(whyWaiting(task({}), [worker('w', [], false)], NOW)).toMatchObject({ reason: 'no_online_worker' });
    expect(whyWaiting(task({ status: 'executing' }), CREW, NOW)).toBeNull();
  });

  it('names the capabilities nobody online has, or those the best-fitting worker lacks', () => {
    expect(whyWaiting(task({ capabilities: ['react', 'docs'] }), CREW, NOW)).toMatchObject({ capabilities: ['docs'] });
    expect(whyWaiting(task({ capabilities: ['react', 'python'] }), CREW, NOW)).toMatchObject({ capabilities: ['python'] });
    // An offline worker with the capability does not count.
    const crew = [...CREW, worker('docs-writer', ['docs'], false)];
    expect(whyWaiting(task({ capabilities: ['docs'] }), crew, NOW)).toMatchObject({ message: 'no online worker has docs' });
  });
});

describe('stuck work across the board', () => {
  it('counts per missing capability, per offline reservation, and the first backoff', () => {
    const crew = [...CREW, worker('gone', [], false)];
    const tasks = [
      ...Array.from({ length: 5 }, () => task({ capabilities: ['docs'] })),
      task({ capabilities: ['rust'] }),
      task({ capabilities: ['rust'], status: 'blocked' }),
      task({ capabilities: ['rust'] }),
      task({ status: 'assigned', reservedFor: 'gone' }),
      task({ runAfter: LATER, attempts: 2, lastError: 'x' }),
      task({ capabilities: ['python'] }),
    ];
    const report = diagnoseStuck(tasks, crew, NOW);
    expect(report).toMatchObject({
      unclaimable: { tasks: 7, capabilities: { docs: 5, rust: 2 } },
      reservedOffline: { tasks: 1, workers: { gone: 1 } },
      backoff: { tasks: 1, nextAt: LATER },
      examined: 10,
    });
    expect(report.messages).toEqual([
      '7 ready tasks need capabilities no online worker has: docs ×5, rust ×2',
      '1 ready task is reserved for offline workers: gone ×1',
      `1 task waits for a retry backoff (the first until ${LATER})`,
    ]);
    expect(diagnoseStuck([task({ capabilities: ['python'] })], CREW, NOW).messages).toEqual([]);
  });
});

describe('claiming one task by id', () => {
  const w = { id: 'w1', capabilities: ['python'] };
  it('refuses in order: blocked, not ready, reserved, capabilities, not due', () => {
    expect(claimRefusal(task({ status: 'blocked' }), w, NOW, [7])?.code).toBe('task_blocked');
    expect(claimRefusal(task({ status: 'paused' }), w, NOW)?.code).toBe('illegal_transition');
    expect(claimRefusal(task({ status: 'assigned', reservedFor: 'w2' }), w, NOW)?.code).toBe('task_reserved');
    expect(claimRefusal(task({ capabilities: ['python', 'rust'] }), w, NOW)?.details).toMatchObject({ missing: ['rust'] });
    expect(claimRefusal(task({ runAfter: LATER }), w, NOW)?.code).toBe('task_not_due');
    expect(claimRefusal(task({ status: 'assigned', reservedFor: 'w1', capabilities: ['python'] }), w, NOW)).toBeNull();
  });
});
