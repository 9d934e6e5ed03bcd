import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LISTEN_BACKLOG } from '../../src/server/serve.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { sqliteBackend, type TestStore } from '../helpers/stores.js';

/**
 * `baton serve` listens with a backlog for thousands of agents connecting at once, not Node's 511:
 * past the backlog, the kernel resets the connections. On Linux a listening socket's Send-Q (ss)
 * is its backlog, as the kernel caps it (net.core.somaxconn).
 */

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('the listening socket of baton serve', () => {
  it('holds as many waiting connections as the system allows, up to LISTEN_BACKLOG', async () => {
    const store: TestStore = await sqliteBackend.fresh();
    cleanup.push(() => store.remove());
    const server: ServeProcess = await startServe(store);
    cleanup.push(() => server.stop());
    const port = new URL(server.url).port;
    const listening = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
    const backlog = Number(listening.split(/\s+/)[2]);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(backlog).toBe(Math.min(LISTEN_BACKLOG, somaxconn));
  });
});
