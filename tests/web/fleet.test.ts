import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { api, type Browser, openBrowser, type Served, screenshot, startServer } from './harness.js';

let server: Served;
let browser: Browser;

const call = <T = Task>(method: string, path: string, body: unknown) => api<T>(server.url, method, path, body);

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser({ width: 1440, height: 900 });
  // A worker whose breaker opens at its first failure.
  await call('POST', '/workers', { id: 'w_flaky', breaker: { failures: 1, cooldownSeconds: 600, rate: null } });
  const task = await call('POST', '/tasks', { title: 'Upload the report', noBreakdown: true });
  const claimed = await call('POST', `/tasks/${task.id}/claim`, { workerId: 'w_flaky' });
  await call('POST', `/tasks/${task.id}/fail`, { workerId: 'w_flaky', token: claimed.lease?.token, error: 'bad credentials' });
  await call('PUT', '/fleet', {
    supervisor: 'host:1',
    pools: [
      {
        name: 'agents',
        capabilities: ['typescript'],
        queues: ['deploy'],
        min: 1,
        max: 8,
        concurrency: 1,
        target: 3,
        ready: 12,
        reason: 'scaled up: 12 ready, 12 per member ≥ 2 for 30s',
        lastScaledAt: null,
        degraded: true,
        degradedReason: '5 crashes in 60s',
        crashes: 5,
        members: [],
      },
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('workers page: breakers and the fleet', () => {
  it("shows a worker's open breaker and each pool with its size, target, why, and whether it is degraded", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#/workers`);
    const flaky = page.locator('tr[data-worker="w_flaky"]');
    await flaky.waitFor();
    expect(await flaky.textContent()).toContain('breaker open');
    const pool = page.locator('tr[data-pool="agents"]');
    await pool.waitFor();
    const text = (await pool.textContent()) ?? '';
    expect(text).toContain('0 / 3');
    expect(text).toContain('queues deploy');
    expect(text).toContain('scaled up: 12 ready');
    expect(text).toContain('degraded: 5 crashes in 60s');
    await screenshot(page, 'workers-fleet');
  });
});
