import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
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

  it('the new-task form puts a task in a queue, and its page says which', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Roll back the release');
    await page.getByLabel('Queue').fill('deploy');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: /Roll back the release/ }).waitFor();
    const id = Number(/#\/tasks\/(\d+)/.exec(page.url())?.[1]);
    expect((await api<Task>(ui.server.url, 'GET', `/tasks/${id}`)).queue).toBe('deploy');
    await expect(
      page
        .locator('dt', { hasText: /^Queue$/ })
        .locator('+ dd')
        .textContent(),
    ).resolves.toBe('deploy');
  });
});
