import { describe, expect, it } from 'vitest';
import { EVENT_PATTERN, retryDelayMs, selects, webhookEventName } from '../../src/core/webhooks.js';

const event = (type: string, extra: { taskId?: number | null; status?: [string, string]; kind?: string } = {}) => ({
  type,
  taskId: extra.taskId === undefined ? 1 : extra.taskId,
  changes: (extra.status ? { status: extra.status } : {}) as Record<string, [unknown, unknown]>,
  data: extra.kind ? { kind: extra.kind } : null,
});

describe('webhook event names', () => {
  it('name a task failed for good apart from an attempt that will be retried', () => {
    expect(webhookEventName(event('failed', { status: ['executing', 'failed'] }))).toBe('task.failed');
    expect(webhookEventName(event('failed', { status: ['executing', 'queued'] }))).toBe('task.attempt_failed');
    expect(webhookEventName(event('lease_expired', { status: ['executing', 'failed'] }))).toBe('task.failed');
    expect(webhookEventName(event('lease_expired', { status: ['executing', 'queued'] }))).toBe('task.lease_expired');
    expect(webhookEventName(event('completed'))).toBe('task.completed');
  });

  it('name alerts by kind and events of no task by their subject', () => {
    expect(webhookEventName(event('alert_raised', { taskId: null, kind: 'sla_breached' }))).toBe('alert.sla_breached');
    expect(webhookEventName(event('webhook_disabled', { taskId: null }))).toBe('webhook.disabled');
    expect(webhookEventName(event('backup_failed', { taskId: null }))).toBe('backup.failed');
    // A run's events sit on its own task but name the run, as workflow event filters do.
    expect(webhookEventName(event('run_started'))).toBe('run.started');
    expect(webhookEventName(event('run_completed'))).toBe('run.completed');
    expect(webhookEventName(event('run_failed'))).toBe('run.failed');
    expect(webhookEventName(event('step_failed'))).toBe('step.failed');
  });

  it('are selected by name, prefix or *', () => {
    expect(selects(['task.failed'], 'task.failed')).toBe(true);
    expect(selects(['task.failed'], 'task.attempt_failed')).toBe(false);
    expect(selects(['alert.*'], 'alert.ready_over')).toBe(true);
    expect(selects(['alert.*'], 'task.failed')).toBe(false);
    expect(selects(['*'], 'webhook.disabled')).toBe(true);
    for (const bad of ['task', 'Task.failed', 'task.failed,x', '*.failed', '']) expect(EVENT_PATTERN.test(bad)).toBe(false);
  });
});

describe('retry backoff', () => {
  it('doubles from the base up to an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 5000))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(40, 5000)).toBe(3_600_000);
  });
});
