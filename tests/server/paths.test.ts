import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatonHost } from '../../src/app/baton.js';
import { BatonError } from '../../src/core/errors.js';
import { auth, type TestServer, testServer } from './helpers.js';

/** Where the server keeps its files is for admins to see; other keys get file names at most. */

let t: TestServer;
afterEach(async () => t?.close());

describe('server paths', () => {
  it('shows where the log is kept to admins only', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'baton-logs-'));
    t = await testServer({ logDir });
    const task = await t.baton.createTask({ title: 'Build the docs' });
    writeFileSync(join(logDir, `${task.id}-1.log`), 'built\n');
    // The task's own worker may read its log; it is not an admin, so it sees no paths.
    await t.baton.claim({ workerId: 'docs-w' });
    const viewer = auth(await t.key('worker', 'docs-w'));
    const admin = auth(await t.key('admin'));
    const url = `/api/v1/tasks/${task.id}/logs`;
    const seen = (await t.inject({ method: 'GET', url, headers: viewer })).json() as { path: string; text: string };
    expect(seen).toMatchObject({ path: `${task.id}-1.log`, text: 'built' });
    expect((await t.inject({ method: 'GET', url, headers: admin })).json()).toMatchObject({
      path: join(logDir, `${task.id}-1.log`),
    });
    for (const route of ['/api/v1/status', '/api/v1/describe']) {
      const answer = await t.inject({ method: 'GET', url: route, headers: viewer });
      expect(answer.json()).toMatchObject({ store: { kind: 'sqlite', location: 'baton.db' } });
      expect(answer.body).not.toContain(t.dir);
      expect((await t.inject({ method: 'GET', url: route, headers: admin })).body).toContain(t.dir);
    }
    rmSync(logDir, { recursive: true, force: true });
  });

  it('keeps paths out of the errors a non-admin gets', async () => {
    t = await testServer();
    const file = join(t.dir, 'baton.db');
    // A store that fails, as one on a vanished disk or an unreachable socket does, naming its file.
    const failing = new BatonError('store_unavailable', `cannot open ${file}: disk I/O error`, { path: file });
    const host = t.baton as BatonHost;
    const broken: BatonHost = Object.assign(Object.create(host) as BatonHost, {
      actingAs: (actor: string) =>
        Object.assign(Object.create(host.actingAs(actor)), {
          status: async () => {
            throw failing;
          },
        }),
    });
    const { buildServer } = await import('../../src/server/app.js');
    const server = await buildServer({ baton: broken, rateLimit: false });
    try {
      const viewer = auth(await t.key('viewer'));
      const admin = auth(await t.key('admin'));
      const seen = await server.app.inject({ method: 'GET', url: '/api/v1/status', headers: viewer });
      expect(seen.statusCode).toBe(503);
      expect(seen.json()).toEqual({
        error: { code: 'store_unavailable', message: 'cannot open baton.db: disk I/O error', details: { path: 'baton.db' } },
      });
      const told = await server.app.inject({ method: 'GET', url: '/api/v1/status', headers: admin });
      expect(told.json()).toMatchObject({ error: { message: `cannot open ${file}: disk I/O error`, details: { path: file } } });
      // A refusal that echoes the caller's own URL keeps it.
      const lost = await server.app.inject({ method: 'GET', url: '/api/v1/no/such/route', headers: viewer });
      expect(lost.json()).toMatchObject({
        error: { code: 'route_not_found', message: expect.stringContaining('/api/v1/no/such/route') },
      });
    } finally {
      await server.close();
    }
  });
});
