import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBaton } from '../../src/app/local-baton.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { cli, json } from '../cli/run-cli.js';
import { type JwksServer, jwksServer, signToken, type TestKey, testKey, unsignedToken } from '../helpers/jwks-server.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { postgresBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'baton-api';

/** One request through a real HTTP client; the answer's status and body. */
async function call(
  url: string,
  path: string,
  token: string | null,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: { code?: string; message?: string } & Record<string, unknown> }> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : {};
  return { status: res.status, body: body.error ?? body };
}

const claims = (groups: string[], extra: Record<string, unknown> = {}) => ({ groups, ...extra });

describe.each([sqliteBackend, postgresBackend])('bearer JWTs from a key set, through baton serve on $name', (backend) => {
  let store: TestStore;
  let server: ServeProcess;
  let jwks: JwksServer;
  let key: TestKey;
  let ecKey: TestKey;
  let apiKey: string;
  const token = (k: TestKey, groups: string[], extra: Record<string, unknown> = {}, options = {}) =>
    signToken(k, { issuer: ISSUER, audience: AUDIENCE, claims: claims(groups, extra), ...options });

  beforeAll(async () => {
    key = await testKey('k1', 'RS256');
    ecKey = await testKey('k2', 'ES256');
    jwks = await jwksServer([key, ecKey]);
    store = await backend.fresh();
    store.configure({
      auth: {
        jwt: {
          jwksUrl: jwks.url,
          issuer: ISSUER,
          audience: AUDIENCE,
          roleClaim: 'groups',
          roleMap: { 'baton-admins': 'admin', 'baton-workers': 'worker', staff: 'viewer' },
          workerClaim: 'worker_id',
          jwksCooldown: 0,
        },
      },
    });
    apiKey = json<{ key: string }>(cli(store.cwd, ['keys', 'create', '--role', 'admin', '--json', '--db', store.db])).key;
    server = await startServe(store);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await jwks?.close();
    await store?.remove();
  });

  it('lets in a signed token with its mapped role (RS256 and ES256), and API keys beside it', async () => {
    const admin = await token(key, ['baton-admins', 'staff'], { sub: 'alice' });
    const created = await call(server.url, '/tasks', admin, { method: 'POST', body: { title: 'from a token' } });
    expect(created.status).toBe(201);
    const history = await call(server.url, `/tasks/${created.body.id}`, apiKey);
    expect(history.status).toBe(200);
    const viewer = await token(ecKey, ['staff']);
    expect((await call(server.url, '/tasks', viewer)).status).toBe(200);
    const stream = new AbortController();
    const events = await fetch(`${server.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${admin}` },
      signal: stream.signal,
    });
    expect(events.status).toBe(200);
    stream.abort();
    // The key set is cached: more tokens of known keys fetch nothing.
    const fetched = jwks.fetches();
    for (let i = 0; i < 5; i++) expect((await call(server.url, '/tasks', await token(key, ['staff']))).status).toBe(200);
    expect(jwks.fetches()).toBe(fetched);
    const write = await call(server.url, '/tasks', viewer, { method: 'POST', body: { title: 'no' } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('forbidden');
  });

  it('refuses an expired token, one not yet valid, a wrong audience or issuer, a wrong signature and alg none', async () => {
    const refusals = [
      await token(key, ['baton-admins'], {}, { expiresIn: -120 }),
      await token(key, ['baton-admins'], {}, { notBefore: 600 }),
      await signToken(key, { issuer: ISSUER, audience: 'another-api', claims: claims(['baton-admins']) }),
      await signToken(key, { issuer: 'https://elsewhere.test', audience: AUDIENCE, claims: claims(['baton-admins']) }),
      await token({ ...(await testKey('k1')), kid: 'k1' }, ['baton-admins']),
      unsignedToken({ iss: ISSUER, aud: AUDIENCE, groups: ['baton-admins'] }),
      await signToken('a shared secret the server does not hold, long enough', { claims: claims(['baton-admins']) }),
    ];
    for (const bad of refusals) {
      const answer = await call(server.url, '/tasks', bad);
      expect(answer.status, answer.body.message).toBe(401);
      expect(answer.body.code).toBe('unauthenticated');
    }
    const noRole = await call(server.url, '/tasks', await token(key, ['guests']));
    expect(noRole.status).toBe(403);
    const tasks = await call(server.url, '/tasks', apiKey);
    expect((tasks.body.tasks as unknown[]).length).toBe(1);
  });

  it('lets a worker token act only as its own worker', async () => {
    const worker = await token(key, ['baton-workers'], { worker_id: 'w-1', sub: 'svc-w1' });
    const own = await call(server.url, '/claims', worker, { method: 'POST', body: { workerId: 'w-1' } });
    expect(own.status).toBeLessThan(300);
    const other = await call(server.url, '/claims', worker, { method: 'POST', body: { workerId: 'w-2' } });
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/acts only as worker w-1/);
    const admin = await call(server.url, '/keys', worker);
    expect(admin.status).toBe(403);
    const noWorker = await call(server.url, '/claims', await token(key, ['baton-workers']), {
      method: 'POST',
      body: { workerId: 'w-1' },
    });
    expect(noWorker.status).toBe(403);
  });

  it('follows a key rotation: a new kid fetches the key set again', async () => {
    const rotated = await testKey('k3', 'RS256');
    jwks.publish([rotated]);
    const before = jwks.fetches();
    const answer = await call(server.url, '/tasks', await token(rotated, ['staff']));
    expect(answer.status).toBe(200);
    expect(jwks.fetches()).toBeGreaterThan(before);
    // The retired key is gone from the set: its tokens no longer verify.
    const retired = await call(server.url, '/tasks', await token(key, ['staff']));
    expect(retired.status).toBe(401);
  });
});

describe('bearer JWTs with a shared HS256 secret', () => {
  const SECRET = 'a shared secret of at least thirty-two characters';
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const baton = new LocalBaton({ store: openSqliteStore(':memory:', { create: true }), policy: DEFAULT_POLICY });
    const server = await buildServer({
      baton,
      jwt: {
        secret: SECRET,
        jwksUrl: null,
        issuer: null,
        audience: AUDIENCE,
        roleClaim: 'role',
        roleMap: null,
        workerClaim: 'sub',
        clockToleranceSeconds: 0,
        jwksCooldownMs: 0,
      },
    });
    await server.start();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    close = async () => {
      await server.close();
      await baton.close();
    };
  });

  afterAll(async () => close?.());

  it('accepts its own tokens, refuses others, and needs a token even with no API keys', async () => {
    const good = await signToken(SECRET, { audience: AUDIENCE, claims: { role: 'admin' } });
    expect((await call(url, '/tasks', good, { method: 'POST', body: { title: 't' } })).status).toBe(201);
    expect((await call(url, '/tasks', null)).status).toBe(401);
    const forged = await signToken('another secret of at least thirty-two characters!', {
      audience: AUDIENCE,
      claims: { role: 'admin' },
    });
    expect((await call(url, '/tasks', forged)).status).toBe(401);
    const rsa = await signToken(await testKey('x'), { audience: AUDIENCE, claims: { role: 'admin' } });
    expect((await call(url, '/tasks', rsa)).body.message).toMatch(/algorithm/);
    const worker = await signToken(SECRET, { audience: AUDIENCE, claims: { role: 'worker', sub: 'w-9' } });
    const other = await call(url, '/claims', worker, { method: 'POST', body: { workerId: 'w-8' } });
    expect(other.status).toBe(403);
  });
});
