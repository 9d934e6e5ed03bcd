import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectError, type TestServer, testServer } from './helpers.js';

describe('GET /api/v1/tasks/:id/logs', () => {
  let t: TestServer;
  afterEach(async () => t?.close());

  it('serves the tail of the newest attempt log, or of the attempt asked for', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'baton-logs-'));
    t = await testServer({ logDir });
    const task = await t.baton.createTask({ title: 'Build the docs' });
    const lines = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`);
    writeFileSync(join(logDir, `${task.id}-1.log`), 'first attempt\nfailed\n');
    writeFileSync(join(logDir, `${task.id}-2.log`), `${lines.join('\n')}\n`);
    // another task's log is never mixed in
    writeFileSync(join(logDir, `${task.id + 10}-3.log`), 'other\n');

    const newest = await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs?tail=3` });
    expect(newest.statusCode, newest.body).toBe(200);
    expect(newest.json()).toMatchObject({ taskId: task.id, attempt: 2, text: 'line 148\nline 149\nline 150' });
    const first = await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs?attempt=1` });
    expect(first.json()).toMatchObject({ attempt: 1, text: 'first attempt\nfailed' });
    const byDefault = await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs` });
    expect((byDefault.json() as { text: string }).text.split('\n')).toHaveLength(100);
    const kept = await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs/attempts` });
    expect(kept.json()).toEqual({ taskId: task.id, readable: true, attempts: [1, 2] });
    rmSync(logDir, { recursive: true, force: true });
  });

  it('answers 404 for an unknown task or a task without a kept log, and 400 for a bad query', async () => {
    t = await testServer({ logDir: null });
    const task = await t.baton.createTask({ title: 'Never ran' });
    expectError(await t.inject({ method: 'GET', url: '/api/v1/tasks/999/logs' }), 404, 'task_not_found');
    expectError(await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs` }), 404, 'log_not_found');
    expectError(await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs?tail=0` }), 400);
    expectError(await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs?colour=red` }), 400);
  });

  it('says which attempts have a log without a 404: an empty list when none is kept', async () => {
    t = await testServer({ logDir: null });
    const task = await t.baton.createTask({ title: 'Never ran' });
    const none = await t.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs/attempts` });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ taskId: task.id, readable: true, attempts: [] });
    expectError(await t.inject({ method: 'GET', url: '/api/v1/tasks/999/logs/attempts' }), 404, 'task_not_found');
  });
});
