import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Browser, openBrowser, type Served, startServer } from './harness.js';

let server: Served;
let browser: Browser;

beforeAll(async () => {
  // Alerts looked at often, and one ready task is one too many.
  server = await startServer(async (db) => {
    writeFileSync(join(dirname(db), 'config.yaml'), 'alerts: { every: 100ms, readyOver: 0 }\nwebhooks: { poll: 50ms }\n');
  });
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('alerts on the dashboard', () => {
  it('the header shows a badge once an alert is raised, opening to its message', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/`);
    await page.locator('.session').waitFor();
    await expect(page.locator('.alert-badge').count()).resolves.toBe(0);
    await api(server.url, 'POST', '/tasks', { title: 'waiting' });
    const badge = page.locator('.alert-badge');
    await badge.waitFor();
    await expect(badge.textContent()).resolves.toBe('1 alert');
    await badge.click();
    await expect(page.getByRole('list', { name: 'Open alerts' }).textContent()).resolves.toContain(
      '1 task ready, more than alerts.readyOver (0)',
    );
    expect(browser.errors).toEqual([]);
  });
});
