import { describe, expect, it } from 'vitest';
import { api, runWorkerOnce, screenshot, useDashboard } from './harness.js';

// One server and one browser for the whole file: each test builds on what it needs through the UI.
const ui = useDashboard();

const card = (column: string, id: number) => `[data-column="${column}"] [data-task-id="${id}"]`;

describe('dashboard against a real server', () => {
  it('creates a task through the form; a worker process moves its card to Completed live', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Ship the release notes');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: /Ship the release notes/ }).waitFor();
    const id = Number(/#\/tasks\/(\d+)/.exec(page.url())?.[1]);
    expect(id).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Board', exact: true }).first().click();
    await page.locator(card('queued', id)).waitFor();
    await expect(page.locator(card('queued', id)).textContent()).resolves.toContain('high');
    // Marks this document: a reload would lose it.
    await page.evaluate(() => {
      (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    await page.getByText('live', { exact: true }).waitFor();

    await runWorkerOnce(ui.server.url, 'worker_ui');
    // Moved by the event stream, in the same document (below); how fast is bench/web.mjs's figure.
    await page.locator(card('completed', id)).waitFor();
    expect(await page.locator(card('queued', id)).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(ui.browser.errors).toEqual([]);
  });

  it('previews the breakdown of an epic, and shows its subtask tree once created', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Build a REST API for billing');
    await page.getByLabel('Description').fill('Endpoints for invoices, payments and refunds');
    await page.getByLabel('Estimate').fill('5d');
    const preview = page.locator('.breakdown-preview');
    await preview.waitFor();
    await expect(page.getByTestId('complexity').textContent()).resolves.toBe('epic');
    const planned = await preview.locator('ol.plan > li > span:first-child').allTextContents();
    expect(planned.length).toBeGreaterThanOrEqual(3);

    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: 'Subtasks' }).waitFor();
    const tree = await page.locator('.tree > li > .tree-row > a').allTextContents();
    // The tree holds exactly the subtasks the preview promised, in the same order.
    expect(tree.map((t) => t.replace(/^#\d+\s*/, '').trim())).toEqual(planned.map((t) => t.trim()));
    await screenshot(page, 'task-page');
  });

  it('offers only legal actions and shows a server refusal as a readable message', async () => {
    const { page } = ui.browser;
    const done = await api<{ tasks: { id: number }[] }>(ui.server.url, 'GET', '/tasks?status=completed&limit=1');
    const completedId = done.tasks[0]?.id as number;
    await page.goto(`${ui.server.url}/#/tasks/${completedId}`);
    await page.getByText('No action applies to a completed task.').waitFor();
    for (const name of ['Pause', 'Resume', 'Retry', 'Cancel task', 'Assign', 'Pass']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    }

    const queued = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', { title: 'Tidy the changelog' });
    await page.goto(`${ui.server.url}/#/tasks/${queued.id}`);
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Retry', exact: true }).count()).toBe(0);

    // The picker lists registered workers; one lacking a capability the task needs is refused.
    const gpu = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', { title: 'Render the video', capabilities: ['gpu'] });
    await page.goto(`${ui.server.url}/#/tasks/${gpu.id}`);
    await page.getByLabel('Reserve for worker').selectOption('worker_ui');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(/worker_ui/);
    expect(text).toMatch(/gpu/);
    expect(text).toContain('incapable_worker');
    expect(text).not.toMatch(/[{}"]/);
    await page.goto(`${ui.server.url}/#/tasks/${queued.id}`);
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();

    // The page follows the task live: paused elsewhere, it now offers Resume instead of Pause.
    await api(ui.server.url, 'POST', `/tasks/${queued.id}/pause`, {});
    await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Pause', exact: true }).count()).toBe(0);
  });

  it('renders the board, queue, workers and analytics pages at desktop and phone width', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/`);
    await page.locator('[data-column="completed"] .card').first().waitFor();
    await screenshot(page, 'board');
    await page.goto(`${ui.server.url}/#/analytics`);
    await page.locator('.chart .uplot').first().waitFor();
    // Four time series (throughput, wait, run time, failure rate) and four breakdowns.
    expect(await page.locator('.charts > .chart').count()).toBe(8);
    await screenshot(page, 'analytics');
    await page.goto(`${ui.server.url}/#/workers`);
    // worker_ui ran once and stopped: it is offline, folded under the toggle.
    await page.getByRole('button', { name: /^Show \d+ offline workers?$/ }).click();
    await page.locator('tr[data-worker="worker_ui"]').waitFor();
    await page.goto(`${ui.server.url}/#/queue`);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.locator('table').waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${ui.server.url}/#/`);
    await page.locator('[data-column="queued"] .card').first().waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    // Columns scroll sideways inside the board; the page itself does not.
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'board-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(ui.browser.errors).toEqual([]);
  });

  it('schedules a task from the form and says so on its page and its card; a bad cron is shown by its field', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Check the nightly numbers');
    await page.getByLabel('Run after (not claimed before)').fill('2h');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: /Check the nightly numbers/ }).waitFor();
    const id = Number(/#\/tasks\/(\d+)/.exec(page.url())?.[1]);
    const task = (await api(ui.server.url, 'GET', `/tasks/${id}`)) as { runAfter: string };
    expect(Date.parse(task.runAfter)).toBeGreaterThan(Date.now() + 3_600_000);
    await page
      .getByText(/scheduled for \d{4}-/)
      .first()
      .waitFor();
    await page.getByRole('link', { name: 'Board', exact: true }).first().click();
    await page.locator(card('queued', id)).waitFor();
    await expect(page.locator(card('queued', id)).textContent()).resolves.toMatch(/scheduled for \d{4}-/);

    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Every so often');
    await page.getByLabel('Every (cron: a recurring task)').fill('0 9 * *');
    await page.getByRole('button', { name: 'Create task' }).click();
    const message = page.locator('#every-error');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/cron/);
    expect(page.url()).toMatch(/#\/new$/);
    // Leaves the form, so the next test starts from an empty one.
    await page.getByRole('link', { name: 'Board', exact: true }).first().click();
  });

  it('creates a task on hold from the form: paused, so no worker takes it', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Draft the pricing page');
    await page.getByLabel('Hold').check();
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: /Draft the pricing page/ }).waitFor();
    const id = Number(/#\/tasks\/(\d+)/.exec(page.url())?.[1]);
    expect(await api(ui.server.url, 'GET', `/tasks/${id}`)).toMatchObject({ status: 'paused', pausedFrom: 'queued' });
  });

  it('shows a validation message of the server next to the field it names', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    await page.getByLabel('Title (required)').fill('Depends on a task that does not exist');
    await page.getByLabel('Depends on (task ids)').fill('9999');
    await page.getByRole('button', { name: 'Create task' }).click();
    const message = page.locator('#dependsOn-error');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/9999/);
    expect(await page.getByLabel('Depends on (task ids)').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/#\/new$/);
  });

  it('says, before anyone types one, that this server does not take commands from the dashboard', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/new`);
    const field = page.getByLabel('Command (run by executor workers)');
    await field.waitFor();
    expect(await field.isDisabled()).toBe(true);
    const why = page.locator('#command-locked');
    expect(await why.textContent()).toMatch(/can run code on every worker that runs task commands/);
    expect(await field.getAttribute('aria-describedby')).toBe('command-locked');
  });

  it('a task page asks for a log only when one is kept: no 404 in the browser console', async () => {
    const { page } = ui.browser;
    const failed: string[] = [];
    const consoleErrors: string[] = [];
    const onResponse = (r: { status(): number; url(): string }) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    };
    const onConsole = (m: { type(): string; text(): string }) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    };
    page.on('response', onResponse);
    page.on('console', onConsole);
    try {
      // Run by a worker whose logs stay on its own machine, and never run: no log on this ui.server.
      const ran = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', { title: 'Run elsewhere', priority: 'critical' });
      await runWorkerOnce(ui.server.url, 'worker_elsewhere');
      const fresh = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', { title: 'Never run yet' });
      for (const id of [ran.id, fresh.id]) {
        await page.goto(`${ui.server.url}/#/tasks/${id}`);
        await page.getByRole('heading', { name: 'Log tail' }).waitFor();
        await page.getByText('No output kept on the server for this task.').waitFor();
      }
      expect((await api<{ status: string }>(ui.server.url, 'GET', `/tasks/${ran.id}`)).status).toBe('completed');
      expect(failed).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      page.off('response', onResponse);
      page.off('console', onConsole);
    }
  });

  it('shows a condition on the task page, why a task was skipped, and skipped tasks in their own column', async () => {
    const { page } = ui.browser;
    const test = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', { title: 'Tests that never ran' });
    const deploy = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', { title: 'Deploy after tests' });
    await api(ui.server.url, 'POST', `/tasks/${deploy.id}/dependencies`, {
      dependsOn: [{ id: test.id, if: 'result.passed == true' }],
    });
    await api(ui.server.url, 'POST', `/tasks/${test.id}/cancel`, {});
    expect((await api<{ status: string }>(ui.server.url, 'GET', `/tasks/${deploy.id}`)).status).toBe('skipped');
    await page.goto(`${ui.server.url}/#/tasks/${deploy.id}`);
    await page.locator(`[data-dep="${test.id}"]`, { hasText: 'if result.passed == true' }).waitFor();
    await page.getByText(`#${test.id} was cancelled; its condition needs it completed.`).waitFor();
    await page.goto(`${ui.server.url}/#/`);
    await page.locator(card('skipped', deploy.id)).waitFor();
  });

  it('keeps board filters in the URL', async () => {
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/`);
    await page.getByLabel('Search').fill('changelog');
    await page.waitForURL(/q=changelog/);
    await page.getByLabel('Priority').selectOption('normal');
    await page.waitForURL(/priority=normal/);
    await page.reload();
    await expect(page.getByLabel('Search').inputValue()).resolves.toBe('changelog');
    // After the reload the board fetches its cards again: wait for them before reading.
    await page.locator('.card .card-title').first().waitFor({ timeout: 10_000 });
    const titles = await page.locator('.card .card-title').allTextContents();
    expect(titles.length).toBeGreaterThan(0);
    for (const t of titles) expect(t.toLowerCase()).toContain('changelog');
  });
});
