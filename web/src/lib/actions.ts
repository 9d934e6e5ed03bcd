import { can, isFinal } from '../../../src/core/lifecycle.js';
import type { Task } from '../api/types.js';

/**
 * What a person may do to a task from the dashboard, and when: taken from the lifecycle table the
 * server enforces, so an illegal transition is never offered.
 */
export type UiAction = 'cancel' | 'retry' | 'pause' | 'resume' | 'reprioritise' | 'assign' | 'unassign' | 'review';

export function legalActions(task: Pick<Task, 'status'> & Partial<Pick<Task, 'reservedFor'>>): UiAction[] {
  const out: UiAction[] = [];
  if (can(task, 'pause')) out.push('pause');
  if (can(task, 'resume')) out.push('resume');
  if (can(task, 'retry')) out.push('retry');
  if (can(task, 'assign')) out.push('assign');
  // Only a reservation can be dropped.
  if (can(task, 'unassign') && task.reservedFor) out.push('unassign');
  if (can(task, 'review')) out.push('review');
  // A priority change is legal in every state (`update`), but only matters while the task is open.
  if (can(task, 'update') && !isFinal(task.status)) out.push('reprioritise');
  if (can(task, 'cancel')) out.push('cancel');
  return out;
}
