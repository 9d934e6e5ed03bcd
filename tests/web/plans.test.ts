import { describe, expect, it } from 'vitest';
import type { TaskPage } from '../../src/app/baton.js';
import { api, useDashboard } from './harness.js';

const ui = useDashboard();

describe('importing a plan on the dashboard', () => {
  it('previews the tree, shows a refused plan line by line, and creates the tasks', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/`);
    await page.getByRole('link', { name: 'Import plan' }).click();
    const text = page.getByLabel('Plan (Markdown)');
    await text.fill('# Checkout @web\n- [ ] Cart page ~2h\n- [ ] Payment form\n  depends on #9\n');
    await page.getByRole('button', { name: 'Import' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/not imported:line 4: #9 is not an item of this plan/);

    await text.fill('# Checkout @web\n- [ ] Cart page ~2h\n- [ ] Payment form\n  after Cart page\n');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.locator('.plan-tree');
    await preview.waitFor();
    await expect(preview.locator('[data-ref="3"]').textContent()).resolves.toMatch(/^3\. +Payment form blocked \[web\] after 2$/);
    expect((await api<TaskPage>(ui.server.url, 'GET', '/tasks')).total).toBe(0);

    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Created 3 tasks' }).waitFor();
    const tasks = (await api<TaskPage>(ui.server.url, 'GET', '/tasks')).tasks;
    expect(tasks.map((t) => [t.title, t.status])).toEqual([
      ['Checkout', 'executing'],
      ['Cart page', 'queued'],
      ['Payment form', 'blocked'],
    ]);
    await page.locator('.plan-tree a', { hasText: `#${tasks[1]?.id}` }).click();
    await page.getByRole('heading', { name: /Cart page/ }).waitFor();
  });
});
