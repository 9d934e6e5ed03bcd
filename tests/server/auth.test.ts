import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Task } from '../../src/core/types.js';
import { routesOf } from '../../src/server/routes.js';
import { auth, expectError, type TestServer, testServer } from './helpers.js';

let t: TestServer;
let admin: string;
let viewer: string;
let worker: string;
let task: Task;

beforeAll(async () => {
  t = await testServer();
  admin = await t.key('admin');
  viewer = await t.key('viewer');
  worker = await t.key('worker', 'w-own');
  task = await t.baton.createTask({ title: 'guarded' });
});
afterAll(async () => {
  await t.close();
});

const routes = () =>
  routesOf({ clock: systemClock, metrics: t.server.metrics, startedAt: 0, version: '' }).map((r) => ({
    ...r,
    url: `/api/v1${r.path.replace(':id', String(task.id)).replace(':dep', '2')}`,
  }));

describe('authentication and roles', () => {
  it('401 on every route but health without a valid key, once keys exist', async () => {
    const before = await t.snapshot();
    for (const r of routes()) {
      const res = await t.inject({ method: r.method, url: r.url, payload: r.method === 'GET' ? undefined : {} });
      // An inbound hook's credential is its body's signature, not a key: an undeclared hook is unknown.
      if (r.path === '/hooks/:name') expectError(res, 404, 'hook_not_found');
      else if (r.access === 'public') expect(res.statusCode).toBe(200);
      else expectError(res, 401, 'unauthenticated');
      const bad = await t.inject({ method: r.method, url: r.url, headers: auth(`${admin.slice(0, -4)}AAAA`) });
      if (r.access !== 'public') expectError(bad, 401);
    }
    expectError(await t.inject({ method: 'GET', url: '/metrics' }), 401);
    expectError(await t.inject({ method: 'GET', url: '/api/v1/events' }), 401);
    expect(await t.snapshot()).toBe(before);
  });

  it('403 for a viewer on every write, and for a worker key on admin routes', async () => {
    const before = await t.snapshot();
    for (const r of routes().filter((x) => x.access !== 'read' && x.access !== 'public')) {
      expectError(await t.inject({ method: r.method, url: r.url, headers: auth(viewer), payload: {} }), 403, 'forbidden');
      if (r.access === 'admin') {
        expectError(await t.inject({ method: r.method, url: r.url, headers: auth(worker), payload: {} }), 403, 'forbidden');
      }
    }
    expect((await t.inject({ method: 'GET', url: '/api/v1/tasks', headers: auth(viewer) })).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/api/v1/whoami', headers: auth(worker) })).json()).toMatchObject({
      role: 'worker',
      workerId: 'w-own',
      key: { role: 'worker', workerId: 'w-own', revokedAt: null },
    });
    expect(await t.snapshot()).toBe(before);
  });

  it('403 for a worker key acting as another worker; its own work goes through', async () => {
    const other = { workerId: 'w-other' };
    const claimed = await t.inject({ method: 'POST', url: '/api/v1/claims', headers: auth(admin), payload: other });
    const lease = (claimed.json() as { task: Task }).task;
    expect(lease.id).toBe(task.id);
    const before = await t.snapshot();
    const as = (url: string, payload: object) =>
      t.inject({ method: 'POST', url: `/api/v1${url}`, headers: auth(worker), payload });
    expectError(await as('/claims', other), 403, 'forbidden');
    expectError(await as(`/tasks/${task.id}/complete`, { ...other, token: lease.lease?.token }), 403);
    expectError(await as(`/tasks/${task.id}/heartbeat`, other), 403);
    expectError(await as(`/tasks/${task.id}/release`, other), 403);
    expectError(await as(`/tasks/${task.id}/logs`, { ...other, token: lease.lease?.token, attempt: 1, text: 'not mine' }), 403);
    expectError(await as('/workers', { id: 'w-other' }), 403);
    expectError(await t.inject({ method: 'DELETE', url: '/api/v1/workers/w-other', headers: auth(worker) }), 403);
    // Its own id on someone else's lease: the lease check refuses it.
    expectError(await as(`/tasks/${task.id}/complete`, { workerId: 'w-own' }), 409, 'not_lease_holder');
    expect(await t.snapshot()).toBe(before);
    expect((await as('/claims', { workerId: 'w-own' })).statusCode).toBe(200);
    const done = await t.inject({
      method: 'POST',
      url: `/api/v1/tasks/${task.id}/complete`,
      headers: auth(admin),
      payload: { ...other, token: lease.lease?.token },
    });
    expect(done.json()).toMatchObject({ status: 'completed' });
    const history = await t.baton.events({ taskId: task.id });
    expect(history.find((e) => e.type === 'created')?.actor).toBe('test');
  });

  it('takes a key in the URL (access_token) on the event stream only', async () => {
    const before = await t.snapshot();
    for (const url of [
      '/api/v1/tasks',
      '/api/v1/status',
      '/api/v1/events/history',
      '/api/v1/export',
      '/api/v1/health',
      '/metrics',
    ]) {
      const res = await t.inject({ method: 'GET', url: `${url}?access_token=${admin}` });
      expectError(res, 400, 'invalid_argument');
      expect(res.json()).toMatchObject({
        error: { details: { field: 'access_token' }, message: expect.stringContaining('/api/v1/events') },
      });
    }
    const write = await t.inject({ method: 'POST', url: `/api/v1/tasks?access_token=${admin}`, payload: { title: 'x' } });
    expectError(write, 400, 'invalid_argument');
    // The event history as JSON is not the stream, even at the stream's address.
    expectError(await t.inject({ method: 'GET', url: `/api/v1/events?access_token=${admin}` }), 400, 'invalid_argument');
    expect(await t.snapshot()).toBe(before);
  });

  it('stops accepting a revoked key', async () => {
    const key = await t.key('viewer');
    expect((await t.inject({ method: 'GET', url: '/api/v1/tasks', headers: auth(key) })).statusCode).toBe(200);
    await t.baton.revokeKey(/^baton_([a-z0-9]+)_/.exec(key)?.[1] as string);
    await new Promise((r) => setTimeout(r, 2_100));
    expectError(await t.inject({ method: 'GET', url: '/api/v1/tasks', headers: auth(key) }), 401);
  });
});

describe('rate limiting', () => {
  it('429 past the limit per key, with nothing written', async () => {
    const limited = await testServer({ rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const key = await limited.key('admin');
      for (let i = 0; i < 3; i++) {
        expect((await limited.inject({ method: 'GET', url: '/api/v1/status', headers: auth(key) })).statusCode).toBe(200);
      }
      const before = await limited.snapshot();
      const res = await limited.inject({ method: 'POST', url: '/api/v1/tasks', headers: auth(key), payload: { title: 'x' } });
      expectError(res, 429, 'rate_limited');
      expect(res.headers['retry-after']).toBeDefined();
      expect(await limited.snapshot()).toBe(before);
      const otherKey = await limited.key('viewer');
      expect((await limited.inject({ method: 'GET', url: '/api/v1/status', headers: auth(otherKey) })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('wrong keys', () => {
  /** A key of the right form that no one was given: what a guesser sends, a new one each time. */
  const madeUp = () => `baton_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

  it('refuses an address that presents too many, whatever keys it makes up; other addresses go on', async () => {
    const guarded = await testServer({
      rateLimit: { max: 1000, windowMs: 60_000 },
      authFailureLimit: { max: 5, windowMs: 60_000 },
    });
    try {
      const key = await guarded.key('admin');
      const from = (remoteAddress: string, headers: Record<string, string>) =>
        guarded.inject({ method: 'GET', url: '/api/v1/tasks', headers, remoteAddress });
      for (let i = 0; i < 5; i++) expectError(await from('10.0.0.7', auth(madeUp())), 401, 'unauthenticated');
      const limited = await from('10.0.0.7', auth(madeUp()));
      expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Not even a good key gets through from there now: its answer would tell a guess that hit.
      expectError(await from('10.0.0.7', auth(key)), 429, 'rate_limited');
      expect((await from('10.0.0.8', auth(key))).statusCode).toBe(200);
      // Requests without a key are a client not yet set up, not a guess.
      for (let i = 0; i < 10; i++) expectError(await from('10.0.0.9', {}), 401, 'unauthenticated');
      expect((await from('10.0.0.9', auth(key))).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('random bodies at the write routes', () => {
  it('never a 5xx, never a partial write', async () => {
    const s = await testServer();
    try {
      const base = await s.baton.createTask({ title: 'target' });
      const writes = routesOf({ clock: systemClock, metrics: s.server.metrics, startedAt: 0, version: '' })
        .filter((r) => r.method !== 'GET' && r.path !== '/import')
        .map((r) => ({ method: r.method, url: `/api/v1${r.path.replace(':id', String(base.id)).replace(':dep', '2')}` }));
      const value = fc.oneof(
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.double(),
        fc.string({ maxLength: 30 }),
        fc.array(fc.integer(), { maxLength: 3 }),
        fc.constantFrom('w1', 'critical', 'queued', 1, 0, -1, 1e308, '', ' '),
      );
      const keys = fc.constantFrom(
        'title',
        'workerId',
        'token',
        'progress',
        'dependsOn',
        'priority',
        'pass',
        'error',
        'wait',
        'id',
        'zzz',
      );
      const body = fc.oneof(fc.dictionary(keys, value, { maxKeys: 4 }), value, fc.string({ maxLength: 20 }));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...writes), body, fc.boolean(), async (route, payload, raw) => {
          const before = await s.snapshot();
          const res = await s.inject({
            method: route.method,
            url: route.url,
            headers: { 'content-type': 'application/json' },
            payload: raw && typeof payload === 'string' ? payload : JSON.stringify(payload),
          });
          expect(res.statusCode, `${route.method} ${route.url} ${res.body}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.json()).toMatchObject({ error: { code: expect.any(String) } });
            expect(await s.snapshot()).toBe(before);
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      await s.close();
    }
  });
});
