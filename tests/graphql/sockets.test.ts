import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TaskEvent } from '../../src/core/types.js';
import { postgresBackend, sqliteBackend } from '../helpers/stores.js';
import { type Served, serveWithKeys, wsUrl } from './client.js';

type Message = {
  type: string;
  ref?: unknown;
  event?: TaskEvent;
  data?: unknown;
  error?: { code: string; details: Record<string, unknown> };
};

/** A `/api/v1/ws` connection that keeps what it receives, in order. */
async function openSocket(s: Served, query = '', key = s.keys.admin) {
  const socket = new WebSocket(wsUrl(s, `/api/v1/ws${query}`), { headers: { authorization: `Bearer ${key}` } });
  const received: Message[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data)) as Message));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const until = async (test: (m: Message) => boolean, ms = 10_000): Promise<Message> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = received.find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`not received in ${ms} ms: ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  let refs = 0;
  const call = async (type: string, fields: Record<string, unknown>) => {
    const ref = `r${++refs}`;
    socket.send(JSON.stringify({ type, ref, ...fields }));
    return until((m) => m.ref === ref);
  };
  return { socket, received, until, call };
}

describe.each([sqliteBackend, postgresBackend])('the WebSocket door against baton serve on $name', (backend) => {
  let s: Served;
  beforeAll(async () => {
    s = await serveWithKeys(backend);
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('streams events as SSE does: filtered by type, resumed after an id', async () => {
    const all = await openSocket(s);
    const created = await openSocket(s, '?type=created');
    const task = await s.admin.createTask({ title: 'ws one' });
    await s.admin.pauseTask(task.id);
    const paused = await all.until((m) => m.event?.type === 'paused' && m.event.taskId === task.id);
    await created.until((m) => m.event?.taskId === task.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(created.received.filter((m) => m.type === 'event').every((m) => m.event?.type === 'created')).toBe(true);
    // Resuming after the created event gives what followed it, from the log.
    const createdEvent = await all.until((m) => m.event?.type === 'created' && m.event.taskId === task.id);
    const createdId = createdEvent.event?.id;
    const resumed = await openSocket(s, `?after=${createdId}&taskId=${task.id}`);
    expect((await resumed.until((m) => m.type === 'event')).event?.id).toBe(paused.event?.id);
    for (const c of [all, created, resumed]) c.socket.close();
  });

  it('claims, reports progress and completes over the socket under the same lease and fencing', async () => {
    const task = await s.admin.createTask({ title: 'ws work', capabilities: ['ws'] });
    const worker = await openSocket(s, `?taskId=${task.id}`, s.keys.worker);
    const refused = await worker.call('claim', { body: { workerId: 'w2', capabilities: ['ws'] } });
    expect(refused.error?.code).toBe('forbidden');
    const claimed = await worker.call('claim', { body: { workerId: 'w1', capabilities: ['ws'], leaseSeconds: 60 } });
    const held = (claimed.data as { task: { id: number; leaseToken: number } }).task;
    expect(held.id).toBe(task.id);
    const stale = await worker.call('progress', {
      taskId: task.id,
      body: { workerId: 'w1', token: held.leaseToken + 1, progress: 5 },
    });
    expect(stale.error?.code).toBe('stale_token');
    const progress = await worker.call('progress', {
      taskId: task.id,
      body: { workerId: 'w1', token: held.leaseToken, progress: 50 },
    });
    expect(progress.data).toMatchObject({ progress: 50 });
    const done = await worker.call('complete', {
      taskId: task.id,
      body: { workerId: 'w1', token: held.leaseToken, result: { ok: 1 } },
    });
    expect(done.data).toMatchObject({ status: 'completed' });
    await worker.until((m) => m.event?.type === 'completed');
    worker.socket.close();
  });

  it('refuses a frame that is not JSON, an unknown call and an oversized frame with a code, changing nothing', async () => {
    const before = (await s.admin.listTasks({ limit: 1 })).total;
    const c = await openSocket(s);
    c.socket.send('not json {');
    expect((await c.until((m) => m.type === 'error')).error).toMatchObject({
      code: 'invalid_argument',
      details: { field: 'frame' },
    });
    const unknown = await c.call('explode', {});
    expect(unknown.error?.code).toBe('invalid_argument');
    c.socket.send(
      JSON.stringify({ type: 'complete', taskId: 1, body: { workerId: 'w1', token: 1, result: 'x'.repeat(100_000) } }),
    );
    // Too large to be read, so answered without its ref.
    await c.until((m) => m.error?.code === 'payload_too_large');
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
    expect((await s.admin.listTasks({ limit: 1 })).total).toBe(before);
    c.socket.close();
  });

  it('refuses an upgrade without a key, as REST does', async () => {
    const socket = new WebSocket(wsUrl(s, '/api/v1/ws'));
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
    });
    expect(status).toBe(401);
  });

  it('ends a socket and a subscription within seconds of their key being revoked', async () => {
    const created = await s.admin.createKey({ role: 'viewer' });
    const socket = await openSocket(s, '', created.key);
    const socketClosed = new Promise<number>((resolve) => socket.socket.once('close', (code) => resolve(code)));
    const client = createClient({
      url: wsUrl(s, '/api/v1/graphql'),
      webSocketImpl: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { authorization: `Bearer ${created.key}` } });
        }
      },
      retryAttempts: 0,
    });
    try {
      const ended = new Promise<string>((resolve) => {
        client.subscribe(
          { query: 'subscription { taskEvents { id } }' },
          { next: () => {}, error: () => resolve('error'), complete: () => resolve('complete') },
        );
      });
      await new Promise((r) => setTimeout(r, 500));
      await s.admin.revokeKey(created.record.id);
      const timeout = new Promise<string>((r) => setTimeout(() => r('still open'), 8_000));
      expect(await Promise.race([ended, timeout])).not.toBe('still open');
      expect(await socketClosed).toBe(1001);
    } finally {
      await client.dispose();
    }
  });

  it('delivers task and run events to GraphQL subscriptions (graphql-ws), and refuses an unknown one', async () => {
    const client = createClient({
      url: wsUrl(s, '/api/v1/graphql'),
      webSocketImpl: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { authorization: `Bearer ${s.keys.viewer}` } });
        }
      },
      retryAttempts: 0,
    });
    try {
      const seen: TaskEvent[] = [];
      const stop = client.subscribe<{ taskEvents: TaskEvent }>(
        { query: 'subscription { taskEvents(types: ["created"]) { id taskId type } }' },
        { next: (r) => r.data && seen.push(r.data.taskEvents), error: () => {}, complete: () => {} },
      );
      await new Promise((r) => setTimeout(r, 500));
      const task = await s.admin.createTask({ title: 'subscribed' });
      const deadline = Date.now() + 10_000;
      while (!seen.some((e) => e.taskId === task.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen.find((e) => e.taskId === task.id)).toMatchObject({ type: 'created' });
      stop();
      // A run's subscription, from the start of the log: its own events and its step's task's.
      await s.admin.addWorkflow('name: gq-run\nsteps:\n  - id: only\n    task: { title: Only step }\n');
      const run = await s.admin.startRun('gq-run');
      const runSeen: TaskEvent[] = [];
      const stopRun = client.subscribe<{ runEvents: TaskEvent }>(
        { query: `subscription { runEvents(runId: ${run.id}, after: 0) { id taskId type data } }` },
        { next: (r) => r.data && runSeen.push(r.data.runEvents), error: () => {}, complete: () => {} },
      );
      const step = run.tasks[0]?.id as number;
      const until = Date.now() + 10_000;
      while (!runSeen.some((e) => e.taskId === step) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(runSeen.map((e) => e.type)).toContain('run_started');
      expect(runSeen.some((e) => e.taskId === step && e.type === 'created')).toBe(true);
      expect(runSeen.every((e) => e.data?.run === run.id || e.taskId === step || e.taskId === runSeen[0]?.taskId)).toBe(true);
      stopRun();
      const refusal = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: 'subscription { nothingHere { id } }' }, { next: resolve, error: resolve, complete: () => {} });
      });
      expect(JSON.stringify(refusal)).toMatch(/invalid_query|nothingHere/);
    } finally {
      await client.dispose();
    }
  });
});
