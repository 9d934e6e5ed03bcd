import { RemoteBaton } from '../../src/client/remote-baton.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import type { StoreBackend, TestStore } from '../helpers/stores.js';

export interface GraphqlAnswer<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors?: { message: string; path?: string[]; extensions: { code: string; details: Record<string, unknown> } }[];
}

/** A `baton serve` over a fresh store of `backend`, with an admin, a viewer and a worker key. */
export interface Served {
  store: TestStore;
  server: ServeProcess;
  admin: RemoteBaton;
  keys: { admin: string; viewer: string; worker: string };
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, key?: string): Promise<GraphqlAnswer<T>>;
  stop(): Promise<void>;
}

export async function serveWithKeys(backend: StoreBackend): Promise<Served> {
  const store = await backend.fresh();
  const server = await startServe(store);
  const open = new RemoteBaton({ url: server.url });
  const admin = (await open.createKey({ role: 'admin', capabilities: ['commands'] })).key;
  await open.close();
  // From the first key on, the server wants one.
  const adminBaton = new RemoteBaton({ url: server.url, token: admin });
  const viewer = (await adminBaton.createKey({ role: 'viewer' })).key;
  const worker = (await adminBaton.createKey({ role: 'worker', workerId: 'w1' })).key;
  return {
    store,
    server,
    admin: adminBaton,
    keys: { admin, viewer, worker },
    async gql(query, variables, key = admin) {
      const res = await fetch(`${server.url}/api/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as Omit<GraphqlAnswer, 'status'>) } as GraphqlAnswer<never>;
    },
    async stop() {
      await adminBaton.close();
      await server.stop();
      await store.remove();
    },
  };
}

/** The WebSocket address of a served path (`/api/v1/ws?...`). */
export function wsUrl(served: Served, path: string): string {
  return `${served.server.url.replace(/^http/, 'ws')}${path}`;
}
