import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import type { BatonError } from '../../src/core/errors.js';
import type { Task } from '../../src/core/types.js';
import { auth, expectError, type TestServer, testServer } from './helpers.js';

let t: TestServer;
let remote: RemoteBaton;
/** Completion requests the server received, by route. */
let seen: string[];

beforeEach(async () => {
  t = await testServer();
  seen = [];
  t.server.app.addHook('onRequest', async (req) => {
    const url = req.routeOptions.url ?? '';
    if (url.endsWith('/completions') || url.endsWith('/complete')) seen.push(url);
  });
  const url = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  remote = new RemoteBaton({ url });
});

afterEach(async () => {
  await remote.close();
  await t.close();
});

async function claimedTasks(n: number, workerId = 'w1'): Promise<Task[]> {
  for (let i = 0; i < n; i++) await t.baton.createTask({ title: `t${i}`, noBreakdown: true });
  return t.baton.claimMany({ workerId, limit: n });
}

const lease = (task: Task) => ({ workerId: task.assignee ?? '', token: task.lease?.token ?? 0 });

async function refusalOf(call: Promise<unknown>): Promise<BatonError> {
  return call.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: BatonError) => err,
  );
}

describe('RemoteBaton.complete: completions asked together travel as one request', () => {
  it('sends concurrent completions as one POST /completions, each caller getting its own task', async () => {
    const tasks = await claimedTasks(8);
    const done = await Promise.all(tasks.map((task) => remote.complete(task.id, { ...lease(task), result: task.id })));
    expect(done.map((d) => [d.id, d.status, d.result])).toEqual(tasks.map((task) => [task.id, 'completed', task.id]));
    expect(seen).toEqual(['/api/v1/completions']);
  });

  it('a lone completion goes as the single call', async () => {
    const [task] = await claimedTasks(1);
    if (!task) throw new Error('no task');
    expect((await remote.complete(task.id, lease(task))).status).toBe('completed');
    expect(seen).toEqual(['/api/v1/tasks/:id/complete']);
  });

  it('a refused completion rejects its own caller with the single call’s error; the others complete', async () => {
    const [a, b, c] = await claimedTasks(3);
    if (!a || !b || !c) throw new Error('no tasks');
    const calls = [
      remote.complete(a.id, lease(a)),
      remote.complete(b.id, { ...lease(b), token: lease(b).token + 1 }),
      remote.complete(999_999, lease(c)),
      // Malformed: the server would refuse its whole batch, so it travels alone.
      remote.complete(c.id, { ...lease(c), token: -1 }),
    ];
    const [okA, wrongToken, unknown, malformed] = await Promise.allSettled(calls);
    expect(okA).toMatchObject({ status: 'fulfilled', value: { id: a.id, status: 'completed' } });
    expect(seen.filter((u) => u.endsWith('/completions'))).toHaveLength(1);
    // The same calls alone (the single route) are refused alike: same code, same message.
    for (const [outcome, call] of [
      [wrongToken, () => remote.complete(b.id, { ...lease(b), token: lease(b).token + 1 })],
      [unknown, () => remote.complete(999_999, lease(c))],
      [malformed, () => remote.complete(c.id, { ...lease(c), token: -1 })],
    ] as const) {
      if (outcome?.status !== 'rejected') throw new Error('expected a refusal');
      const alone = await refusalOf(call());
      const batched = outcome.reason as BatonError;
      expect({ name: batched.name, code: batched.code, message: batched.message }).toEqual({
        name: 'BatonError',
        code: alone.code,
        message: alone.message,
      });
    }
    expect((await t.baton.getTask(c.id)).status).toBe('executing');
  });
});

describe('POST /api/v1/completions', () => {
  it('answers per item; a worker key completes only its own tasks', async () => {
    const [mine, theirs] = [...(await claimedTasks(1, 'w1')), ...(await claimedTasks(1, 'w2'))];
    if (!mine || !theirs) throw new Error('no tasks');
    const key = await t.key('worker', 'w1');
    const post = (items: unknown[]) =>
      t.inject({ method: 'POST', url: '/api/v1/completions', headers: auth(key), payload: { items } });
    expectError(
      await post([
        { id: mine.id, ...lease(mine) },
        { id: theirs.id, ...lease(theirs) },
      ]),
      403,
      'forbidden',
    );
    const res = await post([
      { id: mine.id, ...lease(mine) },
      { id: 999_999, workerId: 'w1' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      results: [
        { id: mine.id, ok: true, task: { status: 'completed' } },
        { id: 999_999, ok: false, error: { code: 'task_not_found' } },
      ],
    });
    const doc = (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/v1/completions']?.post).toBeDefined();
  });
});
