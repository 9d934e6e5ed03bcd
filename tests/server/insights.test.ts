import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './helpers.js';

/** The views that look back over HTTP, and dependency edits guarded by If-Match; in the OpenAPI document. */
describe('HTTP API: a worker, analytics, burndown, guarded dependency edits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer();
  });
  afterAll(async () => {
    await t?.close();
  });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = {}, payload?: object) =>
    t.inject(
      payload === undefined ? { method, url: `/api/v1${url}`, headers } : { method, url: `/api/v1${url}`, headers, payload },
    );
  const code = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;

  it('adds and removes a dependency under If-Match; a stale version is a 409 version_mismatch', async () => {
    const a = await t.baton.createTask({ title: 'A', noBreakdown: true });
    const b = await t.baton.createTask({ title: 'B', noBreakdown: true });
    const stale = await call('POST', `/tasks/${b.id}/dependencies`, { 'if-match': `"${b.version + 1}"` }, { dependsOn: [a.id] });
    expect([stale.statusCode, code(stale)]).toEqual([409, 'version_mismatch']);
    const added = await call('POST', `/tasks/${b.id}/dependencies?ifVersion=${b.version}`, {}, { dependsOn: [a.id] });
    expect(added.statusCode).toBe(200);
    const version = (added.json() as { version: number }).version;
    const gone = await call('DELETE', `/tasks/${b.id}/dependencies/${a.id}`, { 'if-match': `"${version - 1}"` });
    expect([gone.statusCode, code(gone)]).toEqual([409, 'version_mismatch']);
    expect((await call('DELETE', `/tasks/${b.id}/dependencies/${a.id}`, { 'if-match': `"${version}"` })).statusCode).toBe(200);
  });

  it('answers a worker, analytics for a range and a burndown; refuses bad input; documents them', async () => {
    await t.baton.registerWorker({ id: 'w9' });
    const worker = await call('GET', '/workers/w9');
    expect(worker.statusCode).toBe(200);
    expect(worker.json()).toMatchObject({ worker: { id: 'w9' }, current: [], recent: [] });
    expect(code(await call('GET', '/workers/nobody'))).toBe('worker_not_found');
    const week = await call('GET', '/analytics?range=7d');
    expect(week.json()).toMatchObject({ range: '7d', bucketSeconds: 21_600 });
    const bad = await call('GET', '/analytics?range=1y');
    expect([bad.statusCode, code(bad)]).toEqual([400, 'invalid_argument']);
    const lone = await t.baton.createTask({ title: 'Alone', noBreakdown: true });
    expect((await call('GET', `/tasks/${lone.id}/burndown`)).statusCode).toBe(400);
    const doc = (await call('GET', '/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['/api/v1/workers/{id}', '/api/v1/analytics', '/api/v1/tasks/{id}/burndown']) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
  });
});
