import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { expectError, type TestServer, testServer } from './helpers.js';

/**
 * Open mode (no keys, loopback) trusts whoever reaches it, so it must not be reachable by a web
 * page: not by one that points its own name at this machine (DNS rebinding: a foreign `Host`),
 * nor by one on another origin that fires writes at it (`no-cors` needs no permission).
 */

const JSON_TYPE = { 'content-type': 'application/json' };

let t: TestServer;
let task: Task;
beforeAll(async () => {
  t = await testServer({
    allowedHosts: ['baton.example.org', 'ci.example.org:8443'],
    corsOrigins: ['https://board.example.org'],
  });
  task = await t.baton.createTask({ title: 'guarded' });
});
afterAll(async () => {
  await t.close();
});

const create = (headers: Record<string, string>) =>
  t.inject({ method: 'POST', url: '/api/v1/tasks', headers: { ...JSON_TYPE, ...headers }, payload: { title: 'from a page' } });

describe('Host', () => {
  it('refuses a name that is not the server’s, on every route, and answers to its own', async () => {
    const before = await t.snapshot();
    const rebound = { host: 'rebind.attacker.example:7420' };
    expectError(await create(rebound), 403, 'forbidden_host');
    expectError(await t.inject({ method: 'GET', url: '/api/v1/tasks', headers: rebound }), 403, 'forbidden_host');
    expectError(await t.inject({ method: 'GET', url: '/', headers: rebound }), 403, 'forbidden_host');
    expectError(await t.inject({ method: 'GET', url: '/metrics', headers: rebound }), 403, 'forbidden_host');
    expectError(await create({ host: 'ci.example.org:9000' }), 403, 'forbidden_host');
    expectError(await create({ host: 'baton.example.org.evil.example' }), 403, 'forbidden_host');
    expect(await t.snapshot()).toBe(before);
    const refusal = (await create(rebound)).json() as { error: { message: string } };
    expect(refusal.error.message).toContain('--allowed-hosts rebind.attacker.example');
    // Its own names: loopback ones on any port, and those configured.
    for (const host of ['localhost:7420', '127.0.0.1', '[::1]:7420', 'LOCALHOST', 'baton.example.org', 'baton.example.org:80']) {
      const res = await t.inject({ method: 'GET', url: '/api/v1/tasks', headers: { host } });
      expect(res.statusCode, host).toBe(200);
    }
    expect((await create({ host: 'ci.example.org:8443' })).statusCode).toBe(201);
  });

  it('accepts the address it listens on, with its port; a wildcard address means each of the machine’s', async () => {
    const wide = await testServer();
    try {
      await wide.server.app.listen({ port: 0, host: '0.0.0.0' });
      const port = (wide.server.app.server.address() as { port: number }).port;
      const ask = (host: string) => wide.inject({ method: 'GET', url: '/api/v1/status', headers: { host } });
      expect((await ask(`${hostname()}:${port}`)).statusCode).toBe(200);
      expect((await ask(`0.0.0.0:${port}`)).statusCode).toBe(200);
      expect((await ask(`${hostname()}:${port + 1}`)).statusCode).toBe(403);
      expect((await ask(`rebind.attacker.example:${port}`)).statusCode).toBe(403);
    } finally {
      await wide.close();
    }
  });
});

describe('Origin and Sec-Fetch-Site', () => {
  it('refuses a write from a page of another origin, with or without a body; its own pages write', async () => {
    const before = await t.snapshot();
    const foreign = { origin: 'http://127.0.0.1:9999', 'sec-fetch-site': 'same-site' };
    expectError(await create(foreign), 403, 'forbidden_origin');
    const pause = await t.inject({
      method: 'POST',
      url: `/api/v1/tasks/${task.id}/pause`,
      headers: { ...JSON_TYPE, ...foreign },
    });
    expectError(pause, 403, 'forbidden_origin');
    expectError(await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${task.id}`, headers: foreign }), 403, 'forbidden_origin');
    expectError(await create({ origin: 'null' }), 403, 'forbidden_origin');
    // A browser that sends Sec-Fetch-Site but, for once, no Origin.
    expectError(await create({ 'sec-fetch-site': 'same-site' }), 403, 'forbidden_origin');
    expect(await t.snapshot()).toBe(before);
    // The server's own pages, allowed origins and clients that are not browsers write.
    expect((await create({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
    expect((await create({ host: 'baton.example.org:7420', origin: 'https://baton.example.org:7420' })).statusCode).toBe(201);
    const allowed = await create({ origin: 'https://board.example.org', 'sec-fetch-site': 'cross-site' });
    expect(allowed.statusCode).toBe(201);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://board.example.org');
    expect((await create({})).statusCode).toBe(201);
    // Following a link to the dashboard from another site still opens it.
    expect((await t.inject({ method: 'GET', url: '/', headers: { 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(200);
  });

  it('refuses every call, reads too, from a page of another site', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/v1/tasks', headers: { 'sec-fetch-site': 'cross-site' } });
    expectError(res, 403, 'forbidden_origin');
    const events = await t.inject({ method: 'GET', url: '/api/v1/events', headers: { 'sec-fetch-site': 'cross-site' } });
    expectError(events, 403, 'forbidden_origin');
  });
});

describe('Content-Type of writes', () => {
  it('415 for a write that is not JSON, with or without a body, and nothing written', async () => {
    const before = await t.snapshot();
    const pause = `/api/v1/tasks/${task.id}/pause`;
    expectError(await t.inject({ method: 'POST', url: pause }), 415, 'unsupported_media_type');
    const asText = { 'content-type': 'text/plain' };
    expectError(await t.inject({ method: 'POST', url: pause, headers: asText, payload: '{}' }), 415, 'unsupported_media_type');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const created = await t.inject({ method: 'POST', url: '/api/v1/tasks', headers: form, payload: 'title=x' });
    expectError(created, 415, 'unsupported_media_type');
    const patch = await t.inject({ method: 'PATCH', url: `/api/v1/tasks/${task.id}`, headers: asText, payload: '{"title":"y"}' });
    expectError(patch, 415, 'unsupported_media_type');
    expect(await t.snapshot()).toBe(before);
  });

  it('takes JSON writes, an empty one too, and bodiless DELETEs', async () => {
    const typed = { 'content-type': 'application/json; charset=utf-8' };
    const paused = await t.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/pause`, headers: typed });
    expect(paused.json()).toMatchObject({ status: 'paused' });
    expect((await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${task.id}` })).json()).toMatchObject({ status: 'cancelled' });
  });
});
