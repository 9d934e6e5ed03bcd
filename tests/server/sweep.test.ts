import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { sqliteBackend, type TestStore } from '../helpers/stores.js';

let store: TestStore;
let server: ServeProcess;
let baton: RemoteBaton;
beforeAll(async () => {
  store = await sqliteBackend.fresh();
  store.configure({ heartbeatTimeout: 2 });
  server = await startServe(store);
  baton = new RemoteBaton({ url: server.url });
}, 120_000);
afterAll(async () => {
  await baton?.close();
  await server?.stop();
  await store?.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a running server sweeps on its own timer', () => {
  it('requeues an expired lease within a second, with nobody claiming or listing', async () => {
    const task = await baton.createTask({ title: 'Abandoned' });
    const claimed = await baton.claim({ workerId: 'ghost', leaseSeconds: 1 });
    expect(claimed).toMatchObject({ id: task.id, status: 'executing' });
    const expiresAt = Date.parse(claimed?.lease?.expiresAt as string);
    await sleep(expiresAt - Date.now() + 1_000);
    // `getTask` sweeps nothing itself: only the server's own loop can have requeued it.
    expect(await baton.getTask(task.id)).toMatchObject({ status: 'queued', lease: null, retries: 1 });
    const expired = (await baton.events({ taskId: task.id })).find((e) => e.type === 'lease_expired');
    expect(Date.parse(expired?.at as string) - expiresAt).toBeLessThanOrEqual(1_000);
  });

  it('sends the reservation of a worker gone silent back to the queue', async () => {
    await baton.registerWorker({ id: 'silent' });
    const task = await baton.createTask({ title: 'Reserved', assignee: 'silent' });
    await sleep(3_200);
    expect(await baton.getTask(task.id)).toMatchObject({ status: 'queued', reservedFor: null });
  });
});
