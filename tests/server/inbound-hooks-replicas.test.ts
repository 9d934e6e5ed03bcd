import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { postgresBackend, type TestStore } from '../helpers/stores.js';

const SECRET = 'replica-hook-secret-of-length';
let store: TestStore;
const servers: ServeProcess[] = [];

beforeAll(async () => {
  store = await postgresBackend.fresh();
  store.configure({ hooks: { intake: { secret: SECRET, task: { title: 'payload.title' } } } });
  servers.push(await startServe(store), await startServe(store));
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await store?.remove();
});

it('one delivery sent to two replicas at once makes one task; the other replica refuses the replay', async () => {
  for (let round = 0; round < 10; round++) {
    const body = JSON.stringify({ title: `round ${round}` });
    const headers = {
      'content-type': 'application/json',
      'x-github-delivery': `delivery-${round}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    };
    const answers = await Promise.all(
      servers.map((s) => fetch(`${s.url}/api/v1/hooks/intake`, { method: 'POST', headers, body }).then((r) => r.status)),
    );
    expect(answers.sort()).toEqual([201, 409]);
  }
  const remote = new RemoteBaton({ url: (servers[0] as ServeProcess).url });
  expect((await remote.listTasks({})).tasks.length).toBe(10);
  await remote.close();
});
