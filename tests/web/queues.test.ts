import { describe, expect, it } from 'vitest';
import { api, useDashboard } from './harness.js';

const ui = useDashboard();

describe('pauses and queues on the dashboard', () => {
  it('the board shows a banner while claims are paused, and the workers page lists the queues', async () => {
    const { page } = ui.browser;
    await api(ui.server.url, 'POST', '/tasks', { title: 'Ship the release', queue: 'deploy' });
    await api(ui.server.url, 'POST', '/system/pause', {});
    await page.goto(`${ui.server.url}/#/`);
    const banner = page.locator('.pause-banner');
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toMatch(/paused for the whole system.*keep running and may finish/);
    // A resume anywhere takes the banner away (the page follows the event log).
    await api(ui.server.url, 'POST', '/system/resume', {});
    await banner.waitFor({ state: 'detached', timeout: 10_000 });

    await page.goto(`${ui.server.url}/#/workers`);
    const row = page.locator('[data-queue="deploy"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/^deploy1/);
  });
});
