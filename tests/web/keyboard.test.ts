import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { api, type Browser, openBrowser, type Served, screenshot, startServer } from './harness.js';

let server: Served;
let browser: Browser;
let task: Task;

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser({ width: 1440, height: 900 });
  for (const id of ['k1', 'k2', 'k3']) await api(server.url, 'POST', '/workers', { id });
  const dep = await api<Task>(server.url, 'POST', '/tasks', { title: 'Pick the colours', noBreakdown: true });
  task = await api<Task>(server.url, 'POST', '/tasks', {
    title: 'Dark mode for the dashboard',
    description: 'Follow the **system** setting.',
    tags: ['ui'],
    dependsOn: [dep.id],
    noBreakdown: true,
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const hash = () => browser.page.evaluate<string>('location.hash');

describe('keyboard and colour scheme', () => {
  it('? shows the help and Escape closes it; n opens a new task; / focuses the search; j/k move through a list', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#/workers`);
    await page.locator('tr[data-worker="k1"]').waitFor();

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.innerText()).toContain('Next item in the list');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    const rows = await page.locator('tr[data-worker]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-worker')));
    expect(rows.length).toBe(3);
    await page.keyboard.press('j');
    const selected = () => page.locator('.kb-selected').getAttribute('data-worker');
    expect(await selected()).toBe(rows[0]);
    await page.keyboard.press('j');
    expect(await selected()).toBe(rows[1]);
    await page.keyboard.press('j');
    expect(await selected()).toBe(rows[2]);
    await page.keyboard.press('k');
    expect(await selected()).toBe(rows[1]);
    // Enter follows the selected row's link.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: new RegExp(rows[1] as string) }).waitFor();
    expect(await hash()).toBe(`#/workers/${rows[1]}`);

    await page.keyboard.press('n');
    await page.getByLabel('Title (required)').waitFor();
    expect(await hash()).toBe('#/new');
    // Typing in a field is typing, not a shortcut.
    await page.getByLabel('Title (required)').fill('');
    await page.getByLabel('Title (required)').pressSequentially('n/j?');
    expect(await page.getByLabel('Title (required)').inputValue()).toBe('n/j?');
    expect(await hash()).toBe('#/new');
    expect(await page.getByRole('dialog').count()).toBe(0);

    await page.locator('main h1').first().click();
    await page.keyboard.press('/');
    await page.waitForFunction('document.activeElement?.type === "search"');
    expect(await hash()).toBe('#/');
    // Out of the search box, j selects the board's first card.
    await page.locator('[data-task-id]').first().waitFor();
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    expect(await page.locator('.kb-selected[data-task-id]').count()).toBe(1);
    expect(browser.errors).toEqual([]);
  });

  it('follows the system colour scheme: dark variables in dark mode, light ones otherwise', async () => {
    const { page } = browser;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    await page.locator('.markdown strong').waitFor();
    const colours = () =>
      page.evaluate<Record<string, string | undefined>>(`(() => {
        const css = (el) => (el ? getComputedStyle(el) : null);
        return {
          page: css(document.documentElement)?.backgroundColor,
          panel: css(document.querySelector('.panel'))?.backgroundColor,
          text: css(document.querySelector('main'))?.color,
          input: css(document.querySelector('input[type="search"]'))?.backgroundColor,
        };
      })()`);
    expect(await colours()).toEqual({
      page: 'rgb(15, 20, 26)',
      panel: 'rgb(23, 29, 37)',
      text: 'rgb(230, 234, 240)',
      input: 'rgb(16, 22, 29)',
    });
    await page.locator('.graph a[data-node]').first().waitFor();
    await screenshot(page, 'task-page-dark');
    await page.goto(`${server.url}/#/analytics`);
    await page.locator('.chart .uplot').first().waitFor();
    await screenshot(page, 'analytics-dark');

    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    await page.locator('.markdown strong').waitFor();
    expect(await colours()).toEqual({
      page: 'rgb(244, 246, 248)',
      panel: 'rgb(255, 255, 255)',
      text: 'rgb(27, 36, 48)',
      input: 'rgb(255, 255, 255)',
    });
  });
});
