import { describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '../../src/core/types.js';
import { parseChunk } from '../../web/src/api/sse-parse.js';
import { legalActions } from '../../web/src/lib/actions.js';
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
