import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Browser, openBrowser, type Served, startServer } from './harness.js';

const EXAMPLE = readFileSync(resolve(import.meta.dirname, '../../docs/examples/release.yaml'), 'utf8');

let server: Served;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('dashboard: the Workflows page', () => {
  it('lists registered workflows with their version and steps, shows one step by step, and follows new versions live', async () => {
    await api(server.url, 'POST', '/workflows', { source: EXAMPLE });
    const { page } = browser;
    await page.goto(`${server.url}/#/`);
    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    const row = page.locator('[data-workflow="release"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['v1', '7', '2']);
    expect(await row.textContent()).toContain('Build, test and publish a release');

    await row.getByRole('link', { name: 'release' }).click();
    await page.locator('[data-step="poll"]').waitFor();
    expect(await page.locator('[data-step]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')))).toEqual([
      'build',
      'test',
      'approve',
      'publish',
      'rollback',
      'settle',
      'poll',
    ]);
    expect(await page.locator('[data-step="approve"]').textContent()).toContain('approval by admin');
    expect(await page.locator('[data-step="rollback"]').textContent()).toContain('workflow rollback');

    // A new version, registered elsewhere, shows up without a reload.
    await api(server.url, 'POST', '/workflows', { source: EXAMPLE.replace('max: 10,', 'max: 11,') });
    await page.locator('[data-workflow="release"] td', { hasText: 'v2' }).waitFor();
    expect(browser.errors).toEqual([]);
  });
});
