import { describe, expect, it } from 'vitest';
import { unassignPatch } from '../../src/core/lifecycle.js';
import { executingTask, makeTask } from '../helpers/task.js';

describe('unassignPatch: a reservation ends', () => {
  it('a reserved ready task joins the shared queue, keeping its place', () => {
    const task = makeTask({ status: 'assigned', assignee: 'w1', reservedFor: 'w1', claimOrder: 42 });
    expect(unassignPatch(task)).toEqual({ reservedFor: null, status: 'queued', assignee: null });
  });

  it('a reserved blocked task stays blocked, reserved for nobody', () => {
    const task = makeTask({ status: 'blocked', assignee: 'w1', reservedFor: 'w1' });
    expect(unassignPatch(task)).toEqual({ reservedFor: null, assignee: null });
  });

  it('a paused reserved task resumes into the shared queue', () => {
    const task = makeTask({ status: 'paused', pausedFrom: 'assigned', assignee: 'w1', reservedFor: 'w1' });
    expect(unassignPatch(task)).toEqual({ reservedFor: null, assignee: null, pausedFrom: 'queued' });
  });

  it('a running task keeps its lease holder; only the reservation goes', () => {
    const task = executingTask('w1', 3, 60_000, { reservedFor: 'w1' });
    expect(unassignPatch(task)).toEqual({ reservedFor: null });
  });
});
