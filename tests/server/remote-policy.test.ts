import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { cli, freshProject, json } from '../cli/run-cli.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { sqliteBackend, type TestStore } from '../helpers/stores.js';

let store: TestStore;
let server: ServeProcess;
let project: { dir: string; cleanup: () => void };
beforeAll(async () => {
  store = await sqliteBackend.fresh();
  store.configure({ retry: { policy: 'fixed', base: 7, max: 99, jitter: 0.5 } });
  server = await startServe(store);
  // The client's own folder has a store with the default policy: it must not be the one used.
  project = freshProject();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await store?.remove();
  project?.cleanup();
});

describe("a remote client applies the server's policy", () => {
  it('`baton add --retry-delay` over --server fills the rest of the retry policy from the server config', async () => {
    const task = json<Task>(cli(project.dir, ['add', 'remote retry', '--retry-delay', '30', '--server', server.url, '--json']));
    expect(task.retryPolicy).toEqual({ policy: 'fixed', baseSeconds: 30, maxSeconds: 99, jitter: 0.5 });
    const local = json<Task>(cli(project.dir, ['add', 'local retry', '--retry-delay', '30', '--json']));
    expect(local.retryPolicy).toMatchObject({ policy: 'exponential', baseSeconds: 30, maxSeconds: 600, jitter: 0.2 });
  });
});
