import { describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '../../src/core/types.js';
import { parseChunk } from '../../web/src/api/sse-parse.js';
import { legalActions } from '../../web/src/lib/actions.js';
import { dependsOnText, skipReason } from '../../web/src/lib/conditions.js';
import { makeTask } from '../helpers/task.js';

// Pure pieces of the dashboard, run in Node: what it offers per state and how it reads the stream.
describe('dashboard actions follow the lifecycle table', () => {
  const expected: Record<string, string[]> = {
    blocked: ['pause', 'assign', 'reprioritise', 'cancel'],
    queued: ['pause', 'assign', 'reprioritise', 'cancel'],
    assigned: ['pause', 'assign', 'reprioritise', 'cancel'],
    executing: ['pause', 'reprioritise', 'cancel'],
    paused: ['resume', 'assign', 'reprioritise', 'cancel'],
    reviewing: ['review', 'reprioritise', 'cancel'],
    completed: [],
    failed: ['retry'],
    cancelled: ['retry'],
    skipped: ['retry'],
  };
  for (const status of TASK_STATUSES) {
    it(`offers exactly the legal actions of a ${status} task`, () => {
      expect(legalActions(makeTask({ status }))).toEqual(expected[status]);
    });
  }

  it('offers unassign for a reserved task only', () => {
    expect(legalActions(makeTask({ status: 'assigned', reservedFor: 'worker_002' }))).toEqual([
      'pause',
      'assign',
      'unassign',
      'reprioritise',
      'cancel',
    ]);
    expect(legalActions(makeTask({ status: 'executing', reservedFor: 'worker_002' }))).toContain('unassign');
    expect(legalActions(makeTask({ status: 'completed', reservedFor: 'worker_002' }))).not.toContain('unassign');
  });
});

describe('server-sent event parsing', () => {
  it('splits messages, joins data lines, keeps ids and leaves a partial message for later', () => {
    const { messages, rest } = parseChunk('retry: 1000\n: connected\n\nid: 7\ndata: {"a":\ndata: 1}\n\nid: 8\ndata: {"b"');
    expect(messages).toEqual([
      { id: null, event: 'message', data: '' },
      { id: '7', event: 'message', data: '{"a":\n1}' },
    ]);
    expect(rest).toBe('id: 8\ndata: {"b"');
  });
});

describe('conditional dependencies on the dashboard', () => {
  it('shows each condition beside its dependency', () => {
    const task = makeTask({ dependsOn: [3, 4], conditions: [{ on: 3, if: 'result.passed == true' }] });
    expect(dependsOnText(task)).toBe('#3 if result.passed == true, #4');
  });

  it('says why a task was skipped, from its skipped event', () => {
    const event = (data: Record<string, unknown>) => ({
      id: 1,
      taskId: 5,
      workerId: null,
      actor: 'w1',
      type: 'skipped',
      at: '2030-01-01T00:00:00.000Z',
      changes: { status: ['blocked', 'skipped'] as [unknown, unknown] },
      data,
    });
    expect(skipReason([event({ dependency: 3, status: 'completed', condition: 'result.passed', value: false })])).toBe(
      'the condition on #3 (result.passed) gave false.',
    );
    expect(skipReason([event({ dependency: 3, status: 'skipped' })])).toBe('#3 was skipped.');
    expect(skipReason([event({ dependency: 3, status: 'completed', condition: 'result.x', error: 'No such key: x' })])).toContain(
      'could not be evaluated: No such key: x',
    );
  });
});
