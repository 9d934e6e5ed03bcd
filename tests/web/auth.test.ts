import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Browser, baton, openBrowser, type Served, startServer } from './harness.js';

interface CreatedKey {
  key: string;
}

let server: Served;
let browser: Browser;
let viewerKey: string;
let adminKey: string;

beforeAll(async () => {
  server = await startServer(async (db) => {
    adminKey = (await baton<CreatedKey>(db, ['keys', 'create', '--role', 'admin', '--name', 'lead'])).key;
    viewerKey = (await baton<CreatedKey>(db, ['keys', 'create', '--role', 'viewer', '--name', 'wallboard'])).key;
  });
  await api(server.url, 'POST', '/tasks', { title: 'Audit the access logs' }, adminKey);
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('dashboard with API keys', () => {
  it('asks for a key when the server requires one, and refuses a wrong one', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'API key required' }).waitFor();
    expect(await page.locator('[data-column]').count()).toBe(0);
    await page.getByLabel('API key', { exact: true }).fill('not-a-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByText('The key was refused').waitFor();
  });

  it('shows a viewer key everything and offers no write control', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/`);
    await page.getByLabel('API key', { exact: true }).fill(viewerKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('[data-column="queued"] .card').first().waitFor();
    await page.getByText('viewer · read-only').waitFor();
    expect(await page.getByRole('link', { name: 'New task' }).count()).toBe(0);

    const id = (await api<{ tasks: { id: number }[] }>(server.url, 'GET', '/tasks', undefined, adminKey)).tasks[0]?.id;
    await page.goto(`${server.url}/#/tasks/${id}`);
    await page.getByRole('heading', { name: /Audit the access logs/ }).waitFor();
    await page.getByRole('heading', { name: 'Fields' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
    expect(
      await page
        .getByRole('button')
        .filter({ hasText: /Pause|Cancel|Assign|Retry|Resume|Pass|Fail/ })
        .count(),
    ).toBe(0);
    expect(await page.locator('select[name="priority"]').count()).toBe(0);

    // The key is kept: a reload goes straight to the page, still read-only.
    await page.reload();
    await page.getByRole('heading', { name: 'Fields' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('gives an admin key the write controls', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.getByLabel('API key', { exact: true }).fill(adminKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('link', { name: 'New task' }).waitFor();
    await page.getByRole('heading', { name: 'Actions' }).waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  });
});
