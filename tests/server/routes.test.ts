import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { LIMITS } from '../../src/core/limits.js';
import { eventSchema, taskSchema } from '../../src/core/schemas.js';
import type { Task } from '../../src/core/types.js';
import { routesOf } from '../../src/server/routes.js';
import { expectError, type TestServer, testServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await testServer();
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: unknown = {}, headers: Record<string, string> = {}) =>
  t.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as object, headers });
const get = (url: string, headers: Record<string, string> = {}) => t.inject({ method: 'GET', url: `/api/v1${url}`, headers });
const create = async (body: Record<string, unknown> = {}): Promise<Task> => {
  const res = await post('/tasks', { title: 'a task', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Task;
};
const claim = async (workerId: string): Promise<Task> => {
  const res = await post('/claims', { workerId });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { task: Task }).task;
};

describe('every route: happy path', () => {
  it('creates, reads, lists and shows tasks', async () => {
    const task = await create({ priority: 'high', tags: ['x'] });
    taskSchema.parse(task);
    const one = await get(`/tasks/${task.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.headers.etag).toBe(`"${task.version}"`);
    const detail = await get(`/tasks/${task.id}?detail=true`);
    expect(detail.json()).toMatchObject({ task: { id: task.id }, history: [{ type: 'created' }] });
    const list = await get('/tasks?status=queued,blocked&tag=x&ready=true&limit=5');
    expect(list.json()).toMatchObject({ total: expect.any(Number), tasks: expect.any(Array) });
    expect((list.json() as { tasks: Task[] }).tasks.map((x) => x.id)).toContain(task.id);
  });

  it('creates a task on hold: paused until resumed, and says so in the OpenAPI document', async () => {
    const held = await create({ hold: true });
    expect(held).toMatchObject({ status: 'paused', pausedFrom: 'queued' });
    const resumed = await post(`/tasks/${held.id}/resume`, {});
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect((resumed.json() as Task).status).toBe('queued');
    const doc = (await get('/openapi.json')).body;
    expect(doc).toMatch(/"hold":\{[^}]*"type":"boolean"/);
  });

  it('updates with PATCH and PUT, guarded by If-Match or ifVersion', async () => {
    const task = await create();
    const patched = await t.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${task.id}`,
      payload: { priority: 'low' },
      headers: { 'if-match': `"${task.version}"` },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ priority: 'low', version: task.version + 1 });
    const put = await t.inject({
      method: 'PUT',
      url: `/api/v1/tasks/${task.id}?ifVersion=${task.version + 1}`,
      payload: { title: 'renamed' },
    });
    expect(put.json()).toMatchObject({ title: 'renamed' });
  });

  it('cancels (DELETE and POST), pauses, resumes and retries', async () => {
    const a = await create();
    const cancelled = await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${a.id}?reason=dup` });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect((await post(`/tasks/${a.id}/retry`)).json()).toMatchObject({ status: 'queued' });
    expect((await post(`/tasks/${a.id}/pause`)).json()).toMatchObject({ status: 'paused' });
    expect((await post(`/tasks/${a.id}/resume`)).json()).toMatchObject({ status: 'queued' });
    expect((await post(`/tasks/${a.id}/cancel`, { reason: 'done elsewhere' })).json()).toMatchObject({ status: 'cancelled' });
  });

  it('adds and removes dependencies, assigns, analyses and breaks down', async () => {
    const a = await create();
    const b = await create();
    expect((await post(`/tasks/${b.id}/dependencies`, { dependsOn: [a.id] })).json()).toMatchObject({ status: 'blocked' });
    const removed = await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${b.id}/dependencies/${a.id}` });
    expect(removed.json()).toMatchObject({ dependsOn: [], status: 'queued' });
    expect((await post('/workers', { id: 'assignee-1' })).statusCode).toBe(200);
    expect((await post(`/tasks/${b.id}/assign`, { workerId: 'assignee-1' })).json()).toMatchObject({ status: 'assigned' });
    expect((await get(`/tasks/${a.id}/analysis`)).json()).toMatchObject({ taskId: a.id, complexity: expect.any(String) });
    expect((await post('/analyze', { title: 'Build a REST API', estimateMinutes: 3000 })).json()).toMatchObject({
      taskId: null,
      complexity: 'epic',
    });
    const c = await create({ title: 'Build the billing REST API', noBreakdown: true, estimateMinutes: 3000 });
    const dry = await post(`/tasks/${c.id}/breakdown`, { dryRun: true });
    expect(dry.json()).toMatchObject({ dryRun: true, subtasks: [] });
    const real = await post(`/tasks/${c.id}/breakdown`, {});
    expect((real.json() as { subtasks: Task[] }).subtasks.length).toBeGreaterThan(1);
  });

  it('runs the worker side: claim, heartbeat, progress, note, complete, review, fail, release', async () => {
    const reviewed = await create({ priority: 'critical', review: true });
    const first = await claim('worker-a');
    expect(first.id).toBe(reviewed.id);
    const token = first.lease?.token as number;
    expect((await post(`/tasks/${first.id}/heartbeat`, { workerId: 'worker-a', token })).statusCode).toBe(200);
    expect(
      (await post(`/tasks/${first.id}/progress`, { workerId: 'worker-a', token, progress: 40, note: 'half' })).json(),
    ).toMatchObject({
      progress: 40,
    });
    expect((await post(`/tasks/${first.id}/notes`, { workerId: 'worker-a', text: 'fyi' })).statusCode).toBe(200);
    expect((await post(`/tasks/${first.id}/complete`, { workerId: 'worker-a', token, result: { ok: 1 } })).json()).toMatchObject({
      status: 'reviewing',
    });
    expect((await post(`/tasks/${first.id}/review`, { workerId: 'worker-b', pass: true, score: 90 })).json()).toMatchObject({
      status: 'completed',
    });

    const failing = await create({ priority: 'critical', maxRetries: 0 });
    const second = await claim('worker-a');
    expect(second.id).toBe(failing.id);
    expect((await post(`/tasks/${second.id}/fail`, { workerId: 'worker-a', error: 'boom' })).json()).toMatchObject({
      status: 'failed',
    });

    const released = await create({ priority: 'critical' });
    const third = await claim('worker-a');
    expect(third.id).toBe(released.id);
    expect((await post(`/tasks/${third.id}/release`, { workerId: 'worker-a', token: third.lease?.token })).json()).toMatchObject({
      status: 'queued',
    });
    const many = await post('/claims', { workerId: 'worker-c', limit: 2 });
    expect((many.json() as { tasks: Task[] }).tasks.length).toBeGreaterThan(0);
    expect((await post('/leases/expire')).json()).toEqual({ expired: [] });
  });

  it('long-polls a claim until a task becomes ready', async () => {
    await t.baton.claimMany({ workerId: 'drain', limit: 1000 });
    // The longest wait of one poll: a claim that missed the task would answer empty after it. How
    // soon the answer comes is measured by `npm run bench` (bench/latency.mjs).
    const waiting = post('/claims', { workerId: 'poller', wait: LIMITS.httpClaimWaitSeconds });
    let answered = false;
    void waiting.then(() => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    const task = await create({ title: 'arrives later' });
    const res = await waiting;
    expect((res.json() as { task: Task }).task?.id).toBe(task.id);
    const empty = await post('/claims', { workerId: 'poller', wait: 0.2 });
    expect(empty.json()).toEqual({ task: null, tasks: [] });
  });

  it('manages workers', async () => {
    const reg = await post('/workers', { id: 'w-reg', name: 'Reg', capabilities: ['ui'] });
    expect(reg.json()).toMatchObject({ id: 'w-reg', capabilities: ['ui'], online: true });
    const list = await get('/workers?available=true');
    expect((list.json() as { workers: { id: string }[] }).workers.map((w) => w.id)).toContain('w-reg');
    const bye = await t.inject({ method: 'DELETE', url: '/api/v1/workers/w-reg' });
    expect(bye.json()).toMatchObject({ id: 'w-reg', online: false });
  });

  it('reports status, health, identity, metrics, events and the OpenAPI document', async () => {
    const status = (await get('/status')).json();
    expect(status).toMatchObject({ queueDepth: expect.any(Number), sla: { breaches: expect.any(Object) }, timeToAssignment: {} });
    expect((await get('/health')).json()).toMatchObject({ ok: true, store: 'sqlite' });
    expect((await get('/whoami')).json()).toEqual({ role: 'admin', workerId: null, key: null, commands: false });
    expect((await get('/metrics')).json()).toMatchObject({ metrics: expect.any(Array) });
    const history = (await get('/events/history?limit=3')).json() as { events: unknown[] };
    expect(history.events).toHaveLength(3);
    for (const e of history.events) eventSchema.parse(e);
    expect(((await get('/events?afterId=1&limit=2')).json() as { events: { id: number }[] }).events.map((e) => e.id)).toEqual([
      2, 3,
    ]);
    const doc = (await get('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    for (const spec of routesOf({ clock: systemClock, metrics: t.server.metrics, startedAt: 0, version: '' })) {
      const path = `/api/v1${spec.path.replace(/:(\w+)/g, '{$1}')}`;
      expect(doc.paths[path]?.[spec.method.toLowerCase()], `${spec.method} ${path}`).toBeDefined();
    }
    await t.server.feed.flush();
    const prom = await t.inject({ method: 'GET', url: '/metrics' });
    expect(prom.headers['content-type']).toContain('text/plain');
    expect(prom.body).toContain('baton_tasks{status="queued"}');
    expect(prom.body).toContain('baton_http_request_duration_seconds_bucket');
    expect(prom.body).toMatch(/baton_claims_total \d+/);
  });

  it('/metrics gives ready tasks per capability set and per queue, for an autoscaler', async () => {
    await create({ capabilities: ['gpu', 'python'] });
    await create({ capabilities: ['python', 'gpu'] });
    await create({ capabilities: ['gpu', 'python'], queue: 'render' });
    const prom = await t.inject({ method: 'GET', url: '/metrics' });
    // Summed over the queues: one line per capability set.
    expect(prom.body).toContain('baton_ready_tasks_by_capabilities{capabilities="gpu,python"} 3');
    expect(prom.body).toContain('baton_ready_tasks_by_queue{queue="render"} 1');
    expect(prom.body).toMatch(/baton_ready_tasks_by_queue\{queue="default"\} [1-9]/);
    expect(prom.body).toContain('baton_worker_breakers_open 0');
    const { ready } = (await get('/fleet/ready')).json() as { ready: { queue: string; capabilities: string[]; ready: number }[] };
    expect(ready).toContainEqual({ queue: 'default', capabilities: ['gpu', 'python'], ready: 2 });
    expect(ready).toContainEqual({ queue: 'render', capabilities: ['gpu', 'python'], ready: 1 });
  });

  it('exports, and imports into an empty store', async () => {
    const exported = (await get('/export')).json() as { tasks: unknown[] };
    expect(exported.tasks.length).toBeGreaterThan(0);
    const other = await testServer();
    try {
      const res = await other.inject({ method: 'POST', url: '/api/v1/import', payload: exported });
      expect(res.json()).toMatchObject({ tasks: exported.tasks.length });
      expectError(await other.inject({ method: 'POST', url: '/api/v1/import', payload: exported }), 409, 'store_not_empty');
    } finally {
      await other.close();
    }
  });

  it('serves a landing page without a dashboard, and the dashboard with its SPA fallback', async () => {
    const landing = await t.inject({ method: 'GET', url: '/' });
    expect(landing.body).toContain('/api/v1/openapi.json');
    expect(landing.headers['x-content-type-options']).toBe('nosniff');
    const dist = join(t.dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    const withDash = await testServer({ dashboardDir: dist });
    try {
      expect((await withDash.inject({ method: 'GET', url: '/' })).body).toContain('dash');
      expect((await withDash.inject({ method: 'GET', url: '/assets/app.js' })).body).toContain('console.log');
      expect((await withDash.inject({ method: 'GET', url: '/tasks/12' })).body).toContain('dash');
      expectError(await withDash.inject({ method: 'GET', url: '/api/v1/nope' }), 404, 'route_not_found');
    } finally {
      await withDash.close();
      rmSync(dist, { recursive: true, force: true });
    }
  });
});

describe('refusals leave the store unchanged', () => {
  /** Every write route with its placeholders filled in. */
  const writeRoutes = () =>
    routesOf({ clock: systemClock, metrics: t.server.metrics, startedAt: 0, version: '' })
      .filter((r) => r.method !== 'GET')
      // An inbound hook's body is its sender's, any JSON at all (tests/server/inbound-hooks.test.ts).
      .filter((r) => r.path !== '/hooks/:name')
      .map((r) => ({ method: r.method, url: `/api/v1${r.path.replace(':id', '1').replace(':dep', '2')}` }));

  it('400 for malformed JSON, unknown fields, wrong types and unknown query parameters on every write route', async () => {
    await create();
    await create();
    const before = await t.snapshot();
    for (const { method, url } of writeRoutes()) {
      const headers = { 'content-type': 'application/json' };
      expectError(await t.inject({ method, url, payload: '{"title": ', headers }), 400, 'invalid_argument');
      const unknown = await t.inject({ method, url, payload: { zzz: 1 } });
      expect(unknown.statusCode, `${method} ${url}`).toBe(400);
      const wrong = await t.inject({ method, url, payload: [1, 'two'] });
      expect(wrong.statusCode, `${method} ${url}`).toBe(400);
      expect((await t.inject({ method, url: `${url}?bogus=1`, payload: {} })).statusCode, `${method} ${url}`).toBe(400);
    }
    for (const body of [{ title: 5 }, { title: '' }, { title: 'x', priority: 'urgent' }, { title: 'x', dependsOn: ['a'] }]) {
      expectError(await post('/tasks', body), 400, 'invalid_argument');
    }
    expectError(await post('/claims', { workerId: 'w', wait: 61 }), 400);
    expectError(await post('/tasks/1/progress', { workerId: 'w', progress: 101 }), 400);
    expectError(await get('/tasks?limit=abc'), 400);
    expectError(await get('/tasks/abc'), 400);
    expect(await t.snapshot()).toBe(before);
  });

  it('413 for an oversized body', async () => {
    const before = await t.snapshot();
    expectError(await post('/tasks', { title: 'big', description: 'x'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large');
    expect(await t.snapshot()).toBe(before);
  });

  it('404 for unknown tasks, workers and routes', async () => {
    const before = await t.snapshot();
    expectError(await get('/tasks/999999'), 404, 'task_not_found');
    expectError(await post('/tasks/999999/pause'), 404, 'task_not_found');
    expectError(await post('/tasks/999999/assign', { workerId: 'nobody' }), 404);
    expectError(await t.inject({ method: 'DELETE', url: '/api/v1/workers/nobody' }), 404, 'worker_not_found');
    expectError(await get('/nothing/here'), 404, 'route_not_found');
    expect(await t.snapshot()).toBe(before);
  });

  it('409 for a stale token, a version mismatch and an illegal transition', async () => {
    await t.baton.claimMany({ workerId: 'drain', limit: 1000 });
    const task = await create({ priority: 'critical' });
    const first = await claim('w-stale');
    await post(`/tasks/${task.id}/release`, { workerId: 'w-stale', token: first.lease?.token });
    const second = await claim('w-stale');
    expect(second.lease?.token).toBe((first.lease?.token as number) + 1);
    const before = await t.snapshot();
    const stale = { workerId: 'w-stale', token: first.lease?.token };
    expectError(await post(`/tasks/${task.id}/complete`, stale), 409, 'stale_token');
    expectError(await post(`/tasks/${task.id}/progress`, { ...stale, progress: 5 }), 409, 'stale_token');
    expectError(await post(`/tasks/${task.id}/complete`, { workerId: 'intruder' }), 409);
    const current = (await get(`/tasks/${task.id}`)).json() as Task;
    const mismatch = await t.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${task.id}`,
      payload: { title: 'lost update' },
      headers: { 'if-match': `"${current.version - 1}"` },
    });
    expectError(mismatch, 409, 'version_mismatch');
    expectError(await t.inject({ method: 'PATCH', url: `/api/v1/tasks/${task.id}?ifVersion=1`, payload: { title: 'x' } }), 409);
    expectError(await post(`/tasks/${task.id}/resume`), 409, 'illegal_transition');
    expect(await t.snapshot()).toBe(before);
  });
});
