import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { api, useDashboard } from './harness.js';

const ui = useDashboard();

describe('resources on the dashboard', () => {
  it('a task created with resources through the form shows them; the workers page lists each resource and its holders', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Migrate the users table');
    await page.getByLabel('Resources (name or name:N, comma-separated)').fill('db-migrations:2, deploy');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: /Migrate the users table/ }).waitFor();
    const id = Number(/#\/tasks\/(\d+)/.exec(page.url())?.[1]);
    const task = await api<Task>(ui.server.url, 'GET', `/tasks/${id}`);
    expect(task.resources).toEqual(['db-migrations', 'deploy']);
    await expect(page.locator('dd', { hasText: 'db-migrations, deploy' }).count()).resolves.toBe(1);

    await api(ui.server.url, 'POST', '/tasks', { title: 'Migrate orders', resources: ['db-migrations'] });
    await api(ui.server.url, 'POST', '/claims', { workerId: 'w1' });
    await page.goto(`${ui.server.url}/#/workers`);
    const row = page.locator('[data-resource="db-migrations"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/1 \/ 2.*#1.*1$/);
  });
});
