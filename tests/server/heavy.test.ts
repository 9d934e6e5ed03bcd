import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton, BatonHost, ListQuery } from '../../src/app/baton.js';
import { buildServer } from '../../src/server/app.js';
import { auth, expectError, type TestServer, testServer } from './helpers.js';

let t: TestServer;
let url: string;
beforeAll(async () => {
  t = await testServer({ heavyPerCaller: 2 });
  await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.server.app.server.address() as { port: number }).port}`;
  for (let i = 0; i < 30; i++)
    await t.baton.createTask({ title: `task ${i}`, input: { blob: 'x'.repeat(2000) }, noBreakdown: true });
});
afterAll(async () => {
  await t.close();
});

describe('large answers cannot take the server', () => {
  it('refuses a listing page over 1,000 tasks, and pages on with next', async () => {
    const viewer = await t.key('viewer');
    expectError(
      await t.inject({ method: 'GET', url: '/api/v1/tasks?limit=100000', headers: auth(viewer) }),
      400,
      'invalid_argument',
    );
    const first = (await t.inject({ method: 'GET', url: '/api/v1/tasks?limit=20', headers: auth(viewer) })).json();
    expect(first.tasks).toHaveLength(20);
    const rest = (
      await t.inject({ method: 'GET', url: `/api/v1/tasks?limit=20&cursor=${first.next}`, headers: auth(viewer) })
    ).json();
    expect(rest.tasks).toHaveLength(10);
    expect(rest.next).toBeNull();
  });

  it('streams the export to admins only, as one valid JSON document', async () => {
    const viewer = await t.key('viewer');
    const admin = await t.key('admin');
    expect((await fetch(`${url}/api/v1/export`, { headers: auth(viewer) })).status).toBe(403);
    const res = await fetch(`${url}/api/v1/export`, { headers: auth(admin) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const dump = (await res.json()) as { exportedAt: string };
    expect(dump).toEqual({ ...(await t.baton.exportData()), exportedAt: dump.exportedAt });
  });

  it('lets one caller run only a few listings at once, refusing more at once with 429, and serves others', async () => {
    // Listings of 7 tasks wait at a gate, so they are running at the same time for certain.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gated = (baton: Baton): Baton =>
      new Proxy(baton, {
        get(target, prop, receiver) {
          if (prop !== 'listTasks') return Reflect.get(target, prop, receiver);
          return async (q: ListQuery) => {
            if (q?.limit === 7) await gate;
            return target.listTasks(q);
          };
        },
      });
    const host = new Proxy(t.baton, {
      get(target, prop, receiver) {
        if (prop === 'actingAs') return (actor: string) => gated(target.actingAs(actor));
        return Reflect.get(target, prop, receiver);
      },
    }) as BatonHost;
    const server = await buildServer({ baton: host, rateLimit: false, heavyPerCaller: 2 });
    try {
      const greedy = await t.key('viewer');
      const other = await t.key('viewer');
      const list = (key: string, limit: number) =>
        server.app.inject({ method: 'GET', url: `/api/v1/tasks?limit=${limit}`, headers: auth(key) });
      const held = [list(greedy, 7), list(greedy, 7)];
      await new Promise((r) => setTimeout(r, 100));
      const third = await list(greedy, 5);
      expectError(third, 429, 'rate_limited');
      expect((await list(other, 5)).statusCode).toBe(200);
      open();
      expect((await Promise.all(held)).map((r) => r.statusCode)).toEqual([200, 200]);
      expect((await list(greedy, 5)).statusCode).toBe(200);
    } finally {
      open();
      await server.close();
    }
  });
});
