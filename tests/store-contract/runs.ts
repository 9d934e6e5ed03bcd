import { openBaton } from '../../src/app/open.js';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { OPEN_PRINCIPAL } from '../../src/server/auth.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import type { StoreBackend, TestStore } from '../helpers/stores.js';
import { ACTOR, type ContractRun, type OpenedStore, type Slot } from './harness.js';

/** LocalBaton in this process, on a new store for every test. */
export function localRun(backend: StoreBackend): ContractRun {
  return {
    name: `LocalBaton on ${backend.name}`,
    actor: ACTOR,
    raceTasks: 2_000,
    async open(slot: Slot): Promise<OpenedStore> {
      const store = await backend.fresh();
      try {
        if (slot.config) store.configure(slot.config);
        const baton = await openBaton({ db: store.db, cwd: store.cwd, create: true, actor: ACTOR });
        return {
          baton,
          reach: { args: ['--db', store.db], cwd: store.cwd },
          release: async () => {
            await baton.close();
            await store.remove();
          },
        };
      } catch (err) {
        await store.remove();
        throw err;
      }
    },
    close: async () => {},
  };
}

interface Served {
  store: TestStore;
  server: ServeProcess;
}

/**
 * RemoteBaton against real `baton serve` processes. Starting a server takes seconds on a busy
 * machine, so each slot (the test's store, another one, one per config) has one server for the
 * whole suite, started when a test first needs it; its store is emptied for every test instead.
 */
export function remoteRun(backend: StoreBackend): ContractRun {
  const servers = new Map<string, Promise<Served>>();

  // Servers under a config serve the few tests of one describe; the most recent are kept and older
  // ones stopped, so a suite does not end up holding a server (and its PostgreSQL connections) per
  // config it ever used.
  const configured: string[] = [];
  const serverFor = async (slot: Slot): Promise<Served> => {
    const key = slot.config ? `${slot.name} ${JSON.stringify(slot.config)}` : slot.name;
    let served = servers.get(key);
    if (!served) {
      if (slot.config) {
        configured.push(key);
        while (configured.length > KEPT_CONFIGURED) await stopServer(servers, configured.shift() as string);
      }
      served = serveFresh(backend, slot.config);
      servers.set(key, served);
    }
    return served;
  };

  return {
    name: `RemoteBaton → serve on ${backend.name}`,
    // A loopback server without API keys records its callers' changes under this name.
    actor: OPEN_PRINCIPAL.actor,
    raceTasks: 500,
    async open(slot: Slot): Promise<OpenedStore> {
      const { store, server } = await serverFor(slot);
      const baton = new RemoteBaton({ url: server.url });
      await forgetWorkers(baton);
      await store.empty();
      return { baton, reach: { args: ['--server', server.url], cwd: store.cwd }, release: () => baton.close() };
    },
    async close() {
      const all = await Promise.allSettled(servers.values());
      servers.clear();
      for (const s of all) {
        if (s.status !== 'fulfilled') continue;
        await s.value.server.stop();
        await s.value.store.remove();
      }
    },
  };
}

/** Configured servers kept running at once (a test may use two configs). */
const KEPT_CONFIGURED = 2;

async function stopServer(servers: Map<string, Promise<Served>>, key: string): Promise<void> {
  const served = servers.get(key);
  servers.delete(key);
  const s = await served?.catch(() => undefined);
  if (!s) return;
  await s.server.stop();
  await s.store.remove();
}

async function serveFresh(backend: StoreBackend, config: Record<string, unknown> | undefined): Promise<Served> {
  const store = await backend.fresh();
  try {
    if (config) store.configure(config);
    return { store, server: await startServe(store) };
  } catch (err) {
    await store.remove();
    throw err;
  }
}

/**
 * A server trusts a worker it saw in the last seconds to still be registered, without reading the
 * store; emptying the store under it would leave it trusting workers that are gone. A worker that
 * says goodbye is forgotten, so every worker does before the store is emptied.
 */
async function forgetWorkers(baton: RemoteBaton): Promise<void> {
  for (const worker of await baton.listWorkers()) await baton.unregisterWorker(worker.id);
}
