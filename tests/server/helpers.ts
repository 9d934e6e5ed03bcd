import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import type { ApiKeyRole, KeyCapability } from '../../src/core/types.js';
import { type BatonServer, buildServer, type ServerOptions } from '../../src/server/app.js';

export interface TestServer {
  server: BatonServer;
  baton: LocalBaton;
  dir: string;
  inject: BatonServer['app']['inject'];
  /** The store's whole content, without the export time: equal before and after a refusal. */
  snapshot(): Promise<string>;
  key(role: ApiKeyRole, workerId?: string, capabilities?: KeyCapability[]): Promise<string>;
  close(): Promise<void>;
}

/** A server over a fresh SQLite store in a temp folder, answers checked against their schemas. */
export async function testServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-server-'));
  const baton = await openBaton({ db: join(dir, 'baton.db'), create: true, actor: 'test' });
  const server = await buildServer({
    baton,
    validateResponses: true,
    // Tests present many keys, good and bad, from one address; auth.test turns both limits on.
    rateLimit: false,
    authFailureLimit: false,
    ...options,
  });
  await server.start();
  return {
    server,
    baton,
    dir,
    inject: server.app.inject.bind(server.app) as BatonServer['app']['inject'],
    async snapshot() {
      const dump = await baton.exportData();
      return JSON.stringify({ ...dump, exportedAt: null });
    },
    async key(role, workerId, capabilities) {
      return (await baton.createKey({ role, workerId, capabilities })).key;
    },
    async close() {
      await server.close();
      await baton.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Asserts the coded error answer of the API. */
export function expectError(res: { statusCode: number; json(): unknown; body: string }, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { error: { code: string; message: string; details: unknown } };
  expect(body.error).toBeDefined();
  expect(typeof body.error.message).toBe('string');
  expect(body.error.details).toBeTypeOf('object');
  expect(res.body).not.toMatch(/\bat .+\.(js|ts):\d+/);
  if (code) expect(body.error.code).toBe(code);
}
