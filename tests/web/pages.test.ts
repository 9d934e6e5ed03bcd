import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, runWorkerOnce, screenshot, useDashboard } from './harness.js';

const ui = useDashboard();
const RELEASE = readFileSync(resolve(import.meta.dirname, '../../docs/examples/release.yaml'), 'utf8');

/** Each page of the dashboard, and what shows that it has loaded its data. */
const PAGES = [
  { name: 'board', path: '/', ready: '[data-column="queued"] .card' },
  { name: 'queue', path: '/queue', ready: 'table' },
  { name: 'workers', path: '/workers', ready: 'h1, h2' },
  { name: 'worker', path: '/workers/pager', ready: 'h1, h2' },
  { name: 'workflows', path: '/workflows?name=release', ready: '[data-workflow="release"]' },
  { name: 'analytics', path: '/analytics', ready: '.chart' },
  { name: 'new-task', path: '/new', ready: 'form' },
  { name: 'import-plan', path: '/plan', ready: 'form' },
  { name: 'task', path: '/tasks/1', ready: 'h1, h2' },
] as const;

const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
] as const;

describe('dashboard: every page at desktop and phone sizes', () => {
  it('loads each page with its data, never scrolls the page sideways on a phone, and logs no error (screenshots in test-artifacts/)', async () => {
    const url = ui.server.url;
    await api(url, 'POST', '/tasks', {
      title: 'Write the quarterly report',
      description: 'Numbers **and** words',
      tags: ['report'],
    });
    await api(url, 'POST', '/tasks', { title: 'Archive last quarter', dependsOn: [1] });
    await api(url, 'POST', '/workflows', { source: RELEASE });
    await runWorkerOnce(url, 'pager', 0.1);
    await api(url, 'POST', '/tasks', { title: 'Review the onboarding guide', priority: 'high' });

    const { page } = ui.browser;
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const p of PAGES) {
        await page.goto(`${url}/#${p.path}`);
        await page.locator(p.ready).first().waitFor();
        expect(await page.locator('[role="alert"]').count(), `${p.name}: an error shown`).toBe(0);
        if (size.width < 500) {
          const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
          expect(overflow, `${p.name} scrolls sideways at ${size.width}px`).toBeLessThanOrEqual(0);
        }
        await screenshot(page, `page-${p.name}-${size.width}x${size.height}`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(ui.browser.errors).toEqual([]);
  });
});
