import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './helpers.js';

/** The steering half of the HTTP API: list filters, counts per status, bulk; in the OpenAPI document. */
describe('HTTP API: steering', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer();
  });
  afterAll(async () => {
    await t?.close();
  });
  const get = (url: string, headers: Record<string, string> = {}) => t.inject({ method: 'GET', url: `/api/v1${url}`, headers });

  it('lists by q, priority, capability, open and sort; counts per status; documents them in OpenAPI', async () => {
    const a = await t.baton.createTask({
      title: 'Fix login timeout',
      priority: 'high',
      capabilities: ['web'],
      noBreakdown: true,
    });
    const b = await t.baton.createTask({ title: 'Login page copy', priority: 'low', noBreakdown: true });
    const c = await t.baton.createTask({ title: 'Rotate keys', priority: 'critical', capabilities: ['ops'], noBreakdown: true });
    await t.baton.cancelTask(b.id);
    const ids = async (url: string) => ((await get(url)).json() as { tasks: { id: number }[] }).tasks.map((x) => x.id);
    expect(await ids('/tasks?q=login')).toEqual([a.id, b.id]);
    expect(await ids('/tasks?q=login&open=true')).toEqual([a.id]);
    expect(await ids('/tasks?priority=high,critical&sort=priority')).toEqual([c.id, a.id]);
    expect(await ids('/tasks?capability=ops,web')).toEqual([a.id, c.id]);
    const counts = (await get('/tasks/counts?q=login')).json() as { total: number; byStatus: Record<string, number> };
    expect([counts.total, counts.byStatus.queued, counts.byStatus.cancelled]).toEqual([2, 1, 1]);
    for (const url of ['/tasks?sort=random', '/tasks?q=', '/tasks?priority=urgent', '/tasks/counts?open=maybe']) {
      const r = await get(url);
      expect([r.statusCode, (r.json() as { error: { code: string } }).error.code], url).toEqual([400, 'invalid_argument']);
    }
    const doc = (await get('/openapi.json')).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    expect(doc.paths['/api/v1/tasks/counts']?.get).toBeDefined();
    expect(doc.paths['/api/v1/tasks/bulk']?.post).toBeDefined();
    const params = (doc.paths['/api/v1/tasks']?.get?.parameters ?? []).map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['q', 'priority', 'capability', 'open', 'sort', 'cursor', 'parents']));
    for (const id of [a.id, c.id]) await t.baton.cancelTask(id);
  });

  it('lists and counts parents (tasks broken into subtasks) apart from the work itself', async () => {
    const epic = await t.baton.createTask({ title: 'Parent of several steps' });
    const { subtasks } = await t.baton.breakdown(epic.id);
    const page = (await get('/tasks?status=executing&parents=true')).json() as { tasks: { id: number }[]; total: number };
    expect([page.tasks.map((x) => x.id), page.total]).toEqual([[epic.id], 1]);
    expect(((await get('/tasks?status=executing&parents=false')).json() as { total: number }).total).toBe(0);
    const counts = (await get('/tasks/counts?parents=false&open=true')).json() as { byStatus: Record<string, number> };
    expect([counts.byStatus.executing, (counts.byStatus.queued ?? 0) + (counts.byStatus.blocked ?? 0)]).toEqual([
      0,
      subtasks.length,
    ]);
    const bad = await get('/tasks?parents=maybe');
    expect([bad.statusCode, (bad.json() as { error: { code: string } }).error.code]).toEqual([400, 'invalid_argument']);
    await t.baton.cancelTask(epic.id);
  });

  it('bulk changes several tasks in one step, all or nothing, and needs an admin key', async () => {
    const a = await t.baton.createTask({ title: 'one', tags: ['bulk'], noBreakdown: true });
    const b = await t.baton.createTask({ title: 'two', tags: ['bulk'], noBreakdown: true });
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      t.inject({ method: 'POST', url: '/api/v1/tasks/bulk', payload: payload as object, headers });
    const paused = await post({ action: 'pause', where: { tag: 'bulk' } });
    expect([paused.statusCode, (paused.json() as { count: number }).count]).toEqual([200, 2]);
    await t.baton.resumeTask(b.id);
    const before = await t.snapshot();
    const refused = await post({ action: 'resume', ids: [a.id, b.id] });
    expect(refused.statusCode).toBe(409);
    expect((refused.json() as { error: { code: string; details: { id: number } } }).error).toMatchObject({
      code: 'illegal_transition',
      details: { id: b.id },
    });
    for (const bad of [
      { action: 'pause' },
      { action: 'nuke', ids: [a.id] },
      { action: 'update', ids: [a.id] },
      { action: 'pause', where: {} },
    ]) {
      expect((await post(bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect(await t.snapshot()).toBe(before);
    const viewer = await t.key('viewer');
    const withKey = await t.snapshot();
    expect((await post({ action: 'cancel', ids: [a.id] }, { authorization: `Bearer ${viewer}` })).statusCode).toBe(403);
    expect(await t.snapshot()).toBe(withKey);
  });
});
