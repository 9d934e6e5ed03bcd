import { describe, expect, it } from 'vitest';
import { TRANSITIONS } from '../../src/core/lifecycle.js';
import { TASK_STATUSES, type Task } from '../../src/core/types.js';
import { moveFor } from '../../web/src/lib/board-moves.js';
import {
  type Board,
  blockerOf,
  COLUMNS,
  columnOf,
  EMPTY,
  type Filters,
  matches,
  placeTask,
  reservedOffline,
  serverFilters,
} from '../../web/src/views/board-data.js';
import { executingTask, makeTask } from '../helpers/task.js';

// The board's pure rules, run in Node: which drops act, how a live change lands, what cards say.
const none: Filters = { q: '', tag: '', cap: '', worker: '', priority: '' };

describe('board drag and drop follows the lifecycle table', () => {
  it('acts only where the table allows, and names the action', () => {
    for (const status of TASK_STATUSES) {
      const task = makeTask({ status });
      const from = columnOf(status).key;
      const pause = moveFor(task, from, 'paused');
      expect(pause.kind === 'action', `pause a ${status} task`).toBe(
        from !== 'paused' && (TRANSITIONS.pause as readonly string[]).includes(status),
      );
      const cancel = moveFor(task, from, 'cancelled');
      expect(cancel.kind === 'action', `cancel a ${status} task`).toBe(
        from !== 'cancelled' && (TRANSITIONS.cancel as readonly string[]).includes(status),
      );
    }
    expect(moveFor(makeTask({ status: 'paused' }), 'paused', 'queued')).toMatchObject({ kind: 'action', action: 'resume' });
    expect(moveFor(makeTask({ status: 'failed' }), 'failed', 'queued')).toMatchObject({ kind: 'action', action: 'retry' });
    expect(moveFor(makeTask({ status: 'queued' }), 'queued', 'queued')).toEqual({ kind: 'none' });
  });

  it('refuses with a coded reason the moves only work itself makes', () => {
    const done = moveFor(makeTask({ id: 7, status: 'completed' }), 'completed', 'queued');
    expect(done).toMatchObject({ kind: 'refused', code: 'illegal_transition' });
    expect(done.kind === 'refused' && done.message).toMatch(/cannot move task 7 from Completed to Queued: it is completed/);
    for (const to of ['executing', 'reviewing', 'completed', 'failed', 'skipped', 'blocked', 'epics']) {
      expect(moveFor(makeTask({ status: 'queued' }), 'queued', to).kind, to).toBe('refused');
    }
    const running = moveFor(executingTask(), 'executing', 'queued');
    expect(running.kind === 'refused' && running.message).toMatch(/releases it or its lease runs out/);
  });
});

describe('board filters and live placement', () => {
  it('sends every filter to the server, and a search only when it has a word', () => {
    expect(serverFilters({ q: 'login', tag: 'nightly', cap: 'web', worker: 'w1', priority: 'high' })).toEqual({
      q: 'login',
      tag: 'nightly',
      capability: ['web'],
      worker: 'w1',
      priority: ['high'],
    });
    expect(serverFilters({ ...none, q: '!!', priority: 'urgent' })).toEqual({});
  });

  it('matches a changed task as the server searches: every word a prefix of a word', () => {
    const task = makeTask({ title: 'Fix the login form', description: 'users cannot sign in' });
    expect(matches(task, { ...none, q: 'LOG sig' })).toBe(true);
    expect(matches(task, { ...none, q: 'ogin' })).toBe(false);
    expect(matches(task, { ...none, q: 'login', priority: 'high' })).toBe(false);
  });

  const column = (tasks: Task[], next: string | null = null) => ({ ...EMPTY, tasks, next, total: tasks.length });
  const ids = (board: Board, key: string) => board[key]?.tasks.map((t) => t.id);

  it('moves a changed task to its column, in claim order, and leaves one past the loaded page for its page', () => {
    const queued = [makeTask({ id: 1, claimOrder: 10 }), makeTask({ id: 2, claimOrder: 20 })];
    const board: Board = { queued: column(queued, 'more'), paused: column([]), epics: column([]) };
    const urgent = makeTask({ id: 9, claimOrder: 5 });
    expect(ids(placeTask(board, urgent, none, new Set()), 'queued')).toEqual([9, 1, 2]);
    const late = makeTask({ id: 9, claimOrder: 50 });
    expect(ids(placeTask(board, late, none, new Set()), 'queued')).toEqual([1, 2]);
    const paused = placeTask(board, makeTask({ id: 2, status: 'paused' }), none, new Set());
    expect([ids(paused, 'queued'), ids(paused, 'paused')]).toEqual([[1], [2]]);
    // A parent following its subtasks (executing, no lease) goes to the epics lane.
    const parent = makeTask({ id: 5, status: 'executing', lease: null });
    expect(ids(placeTask(board, parent, none, new Set()), 'epics')).toEqual([5]);
    expect(ids(placeTask(board, makeTask({ id: 3, title: 'other' }), { ...none, q: 'login' }, new Set()), 'queued')).toEqual([
      1, 2,
    ]);
    expect(COLUMNS.find((c) => c.key === 'queued')?.sort).toBe('claim');
  });

  it('names the first open dependency of a blocked card, and flags a reservation for an offline worker', () => {
    const deps = new Map<number, Task>([
      [3, makeTask({ id: 3, status: 'completed', title: 'Done already' })],
      [4, makeTask({ id: 4, title: 'Provision the database' })],
    ]);
    const blocked = makeTask({ id: 8, status: 'blocked', dependsOn: [3, 4, 6] });
    expect(blockerOf(blocked, deps)).toEqual({ id: 4, title: 'Provision the database', more: 1 });
    expect(blockerOf(makeTask({ status: 'queued', dependsOn: [4] }), deps)).toBeNull();
    const reserved = makeTask({ status: 'assigned', reservedFor: 'w1', assignee: 'w1' });
    expect(reservedOffline(reserved, new Map([['w1', false]]))).toBe(true);
    expect(reservedOffline(reserved, new Map())).toBe(true);
    expect(reservedOffline(reserved, new Map([['w1', true]]))).toBe(false);
    expect(reservedOffline(reserved, null)).toBe(false);
  });
});
