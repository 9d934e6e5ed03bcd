import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/limits.js';
import type { Task } from '../../src/core/types.js';
import { createDeps, LIMIT_CASES, type LimitCase, PARKED } from '../helpers/limit-cases.js';
import { expectError, type TestServer, testServer } from './helpers.js';

/** The API holds every input to the app's limits, refusing with the same code and field. */

const WORKER = 'http-limit-worker';
let t: TestServer;
let deps: number[];
beforeAll(async () => {
  t = await testServer();
  deps = await createDeps(t.baton);
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: unknown) => t.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as object });

/** A task for the case to write to: claimed by WORKER when the call needs a lease. */
async function target(c: LimitCase): Promise<{ id: number; token?: number }> {
  if (c.call === 'create') return { id: 0 };
  if (c.call === 'note' || c.call === 'depend') {
    return { id: (await t.baton.createTask({ title: 'target', capabilities: [PARKED], noBreakdown: true })).id };
  }
  // Retried never, so that a failed target does not come back to a later claim.
  const task = await t.baton.createTask({ title: 'target', priority: 'critical', maxRetries: 0, noBreakdown: true });
  const res = await post('/claims', { workerId: WORKER });
  const claimed = (res.json() as { task: Task }).task;
  expect(claimed.id).toBe(task.id);
  return { id: task.id, token: claimed.lease?.token as number };
}

function send(c: LimitCase, to: { id: number; token?: number }, input: Record<string, unknown>) {
  const lease = { workerId: WORKER, token: to.token };
  switch (c.call) {
    case 'create':
      return post('/tasks', input);
    case 'progress':
      return post(`/tasks/${to.id}/progress`, { ...lease, ...input });
    case 'note':
      return post(`/tasks/${to.id}/notes`, { workerId: WORKER, ...input });
    case 'complete':
      return post(`/tasks/${to.id}/complete`, { ...lease, ...input });
    case 'fail':
      return post(`/tasks/${to.id}/fail`, { ...lease, ...input });
    case 'depend':
      return post(`/tasks/${to.id}/dependencies`, input);
  }
}

describe('HTTP: the limits of the core schemas', () => {
  it.each(LIMIT_CASES.map((c) => [c.name, c] as const))('%s: 400 one past the limit, kept at it', async (_, c) => {
    const to = await target(c);
    const before = await t.snapshot();
    const refused = await send(c, to, c.over(deps));
    expectError(refused, 400, 'invalid_argument');
    const { error } = refused.json() as { error: { message: string; details: { field: string } } };
    expect(error.details.field).toBe(c.field);
    expect(error.message.startsWith(`${c.field}: `)).toBe(true);
    expect(await t.snapshot()).toBe(before);
    const kept = await send(c, to, c.at(deps));
    expect(kept.statusCode, kept.body.slice(0, 300)).toBeLessThan(300);
  });

  it('limits what one claim waits and takes, and one page of history', async () => {
    const wait = await post('/claims', { workerId: WORKER, wait: LIMITS.httpClaimWaitSeconds + 1 });
    expectError(wait, 400, 'invalid_argument');
    expect((wait.json() as { error: { details: { field: string } } }).error.details.field).toBe('wait');
    const many = await post('/claims', { workerId: WORKER, limit: LIMITS.claimLimit + 1 });
    expect((many.json() as { error: { details: { field: string } } }).error.details.field).toBe('limit');
    const history = await t.inject({ method: 'GET', url: `/api/v1/events/history?limit=${LIMITS.eventsPageLimit + 1}` });
    expectError(history, 400, 'invalid_argument');
    const page = await t.inject({ method: 'GET', url: `/api/v1/events/history?limit=${LIMITS.eventsPageLimit}` });
    expect(page.statusCode).toBe(200);
  });
});
