import { type ChildProcess, spawn } from 'node:child_process';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import type { TaskEvent } from '../../src/core/types.js';
import { BIN, type CliResult, cliAsync } from '../cli/run-cli.js';
import { childEnv } from '../helpers/sealed.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import type { StoreBackend, TestStore } from '../helpers/stores.js';

/** A store of one backend with its config, a real `baton serve` over it, and the worker processes a test starts. */
export interface Stage {
  store: TestStore;
  server: ServeProcess;
  remote: RemoteBaton;
  /** Starts `baton worker ID … --server URL`; stopped with the stage. */
  worker(id: string, args?: string[]): ChildProcess;
  /** Runs `baton ARGS --server URL` and waits for it. */
  cli(args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

export async function stage(backend: StoreBackend, config: Record<string, unknown>): Promise<Stage> {
  const store = await backend.fresh();
  store.configure(config);
  const server = await startServe(store);
  const remote = new RemoteBaton({ url: server.url });
  const children: ChildProcess[] = [];
  return {
    store,
    server,
    remote,
    worker(id, args = ['--exec', 'true']) {
      const child = spawn(process.execPath, [BIN, 'worker', id, ...args, '--server', server.url], {
        cwd: store.cwd,
        env: childEnv(),
        stdio: 'ignore',
      });
      children.push(child);
      return child;
    },
    cli: (args) => cliAsync(store.cwd, [...args, '--server', server.url]),
    async stop() {
      await Promise.all(children.map(stopChild));
      await server.stop();
      await store.remove();
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until these workers are registered and online. */
export function online(remote: RemoteBaton, ids: readonly string[]): Promise<boolean> {
  return waitFor(`workers ${ids.join(', ')} online`, async () => {
    const workers = await remote.listWorkers();
    return ids.every((id) => workers.some((w) => w.id === id && w.online));
  });
}

/** The events of the whole store, by task. */
export async function eventsByTask(remote: RemoteBaton): Promise<Map<number, TaskEvent[]>> {
  const byTask = new Map<number, TaskEvent[]>();
  for (const e of await remote.events({ limit: 1_000_000 })) {
    if (e.taskId === null) continue;
    byTask.set(e.taskId, [...(byTask.get(e.taskId) ?? []), e]);
  }
  return byTask;
}
