import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBaton } from '../../src/app/open.js';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { isBatonError } from '../../src/core/errors.js';
import { buildServer } from '../../src/server/app.js';
import { type TestServer, testServer } from './helpers.js';
import { connectSse } from './sse-client.js';

let t: TestServer;
let url: string;
beforeAll(async () => {
  t = await testServer({ heartbeatMs: 100 });
  await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.server.app.server.address() as { port: number };
  url = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await t.close();
});

const newestId = async () => (await t.baton.events({})).at(-1)?.id ?? 0;

describe('Server-Sent Events', () => {
  it('resumes with Last-Event-ID: exactly the missed events, in order, then live ones', async () => {
    await t.baton.createTask({ title: 'before' });
    const start = await newestId();
    const first = await connectSse(`${url}/api/v1/events`, { 'last-event-id': String(start) });
    expect(first.status).toBe(200);
    const a = await t.baton.createTask({ title: 'seen live' });
    await first.until((e) => e.some((x) => x.taskId === a.id));
    await first.until(() => first.comments.includes('keep-alive'));
    first.close();
    const lastSeen = (first.events.at(-1) as { id: number }).id;

    // While disconnected: several changes, some through the API, some straight into the store.
    const b = await t.baton.createTask({ title: 'missed 1' });
    await fetch(`${url}/api/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'missed 2' }),
    });
    const claimed = await t.baton.claim({ workerId: 'sse-w' });
    await t.baton.complete(claimed?.id as number, { workerId: 'sse-w' });
    const missed = await t.baton.events({ afterId: lastSeen });
    expect(missed.length).toBeGreaterThanOrEqual(4);

    const second = await connectSse(`${url}/api/v1/events`, { 'last-event-id': String(lastSeen) });
    await second.until((e) => e.length >= missed.length);
    const c = await t.baton.createTask({ title: 'after reconnect' });
    await second.until((e) => e.some((x) => x.taskId === c.id));
    second.close();
    const ids = second.events.map((e) => e.id);
    const expected = (await t.baton.events({ afterId: lastSeen })).map((e) => e.id);
    expect(ids).toEqual(expected);
    expect(second.events.slice(0, missed.length)).toEqual(missed);
    expect(new Set(ids).size).toBe(ids.length);
    expect(b.id).toBeGreaterThan(a.id);
  });

  it('filters by task and type', async () => {
    const task = await t.baton.createTask({ title: 'filtered' });
    const stream = await connectSse(`${url}/api/v1/events?taskId=${task.id}&type=claimed,completed&after=0`);
    await t.baton.createTask({ title: 'noise' });
    const claimed = await t.baton.claimMany({ workerId: 'filter-w', limit: 100 });
    for (const x of claimed) await t.baton.complete(x.id, { workerId: 'filter-w' });
    await stream.until((e) => e.some((x) => x.type === 'completed'));
    stream.close();
    expect(stream.events.map((e) => [e.taskId, e.type])).toEqual([
      [task.id, 'claimed'],
      [task.id, 'completed'],
    ]);
  });
});

describe('Server-Sent Events with keys', () => {
  it('ends a stream within seconds of its key being revoked, by another process', async () => {
    const guarded = await testServer({ heartbeatMs: 100 });
    const elsewhere = await openBaton({ db: join(guarded.dir, 'baton.db'), actor: 'elsewhere' });
    try {
      await guarded.server.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(guarded.server.app.server.address() as { port: number }).port}`;
      await guarded.key('admin');
      const key = await guarded.key('viewer');
      // The one route that takes its key in the URL, for browsers' EventSource.
      const stream = await connectSse(`${base}/api/v1/events?access_token=${key}`);
      expect(stream.status).toBe(200);
      const seen = await elsewhere.createTask({ title: 'seen' });
      await stream.until((e) => e.some((x) => x.taskId === seen.id));

      await elsewhere.revokeKey(/^baton_([a-z0-9]+)_/.exec(key)?.[1] as string);
      const revokedAt = Date.now();
      const deadline = revokedAt + 4_000;
      while (!stream.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stream.ended).toBe(true);
      const after = await elsewhere.createTask({ title: 'after the revocation' });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(stream.events.some((x) => x.taskId === after.id)).toBe(false);
      expect((await connectSse(`${base}/api/v1/events`, { authorization: `Bearer ${key}` })).status).toBe(401);
    } finally {
      await elsewhere.close();
      await guarded.close();
    }
  });
});

describe('RemoteBaton', () => {
  it('is the same Baton over HTTP, errors included', async () => {
    const remote = new RemoteBaton({ url });
    const created = await remote.createTask({ title: 'remote', priority: 'critical' });
    expect((await remote.getTask(created.id)).title).toBe('remote');
    expect((await remote.showTask(created.id)).history[0]?.type).toBe('created');
    expect((await remote.listTasks({ status: ['queued'], limit: 1000 })).tasks.map((x) => x.id)).toContain(created.id);
    const updated = await remote.updateTask(created.id, { title: 'renamed' }, { ifVersion: created.version });
    expect(updated.title).toBe('renamed');
    const stale = await remote.updateTask(created.id, { title: 'x' }, { ifVersion: created.version }).catch((e) => e);
    expect(isBatonError(stale) && stale.code).toBe('version_mismatch');
    const missing = await remote.getTask(987_654).catch((e) => e);
    expect(isBatonError(missing) && missing.exitCode).toBe(3);
    await remote.registerWorker({ id: 'remote-w', capabilities: [] });
    const task = await remote.claim({ workerId: 'remote-w', waitSeconds: 1 });
    expect(task?.id).toBe(created.id);
    await remote.reportProgress(created.id, { workerId: 'remote-w', token: task?.lease?.token, progress: 50 });
    expect((await remote.complete(created.id, { workerId: 'remote-w', token: task?.lease?.token })).status).toBe('completed');
    expect((await remote.status()).tasks.total).toBeGreaterThan(0);
    expect((await remote.events({ taskId: created.id })).map((e) => e.type)).toContain('completed');
    expect((await remote.listWorkers()).map((w) => w.id)).toContain('remote-w');
    const dump = await remote.exportData();
    expect(dump.tasks.length).toBeGreaterThan(0);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    await remote.claimMany({ workerId: 'remote-w', limit: 1, waitSeconds: 30, signal: abort.signal });
  });

  it('rides out a server restart without losing the lease', async () => {
    const own = await testServer();
    const first = own.server;
    await first.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (first.app.server.address() as { port: number }).port;
    const remote = new RemoteBaton({ url: `http://127.0.0.1:${port}`, retryMs: 15_000 });
    try {
      await remote.createTask({ title: 'survives' });
      const task = await remote.claim({ workerId: 'steady' });
      const token = task?.lease?.token as number;
      await first.close();
      const heartbeat = remote.heartbeat(task?.id as number, { workerId: 'steady', token });
      const progress = remote.reportProgress(task?.id as number, { workerId: 'steady', token, progress: 30 });
      await new Promise((r) => setTimeout(r, 1_000));
      const second = await buildServer({ baton: own.baton, rateLimit: false });
      await second.start();
      await second.app.listen({ port, host: '127.0.0.1' });
      try {
        expect((await heartbeat).lease?.token).toBe(token);
        expect((await progress).progress).toBe(30);
        expect((await remote.complete(task?.id as number, { workerId: 'steady', token })).status).toBe('completed');
      } finally {
        await second.close();
      }
    } finally {
      await own.close();
    }
  });
});
