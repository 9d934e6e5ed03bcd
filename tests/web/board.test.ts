import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_ERROR, NEEDLE_TITLE, type SeededBoard, seedBoard } from './board-seed.js';
import { api, type Browser, openBrowser, type Served, screenshot, startServer } from './harness.js';

/** The board over 10,000 queued tasks and a few in every other state, in Chromium at 1440×900. */
const QUEUED = 10_000;
let server: Served;
let browser: Browser;
let seeded: SeededBoard;

beforeAll(async () => {
  server = await startServer(async (db) => {
    seeded = await seedBoard(db, QUEUED);
  });
  browser = await openBrowser({ width: 1440, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const column = (key: string) => `[data-column="${key}"]`;
const card = (key: string, id: number) => `${column(key)} [data-task-id="${id}"]`;
const statusOf = async (id: number) => (await api<{ status: string }>(server.url, 'GET', `/tasks/${id}`)).status;
const headerCount = async (page: Page, key: string) =>
  Number(((await page.locator(`${column(key)} .column-title .count`).textContent()) ?? '').replace(/,/g, ''));

/** Requests for pages of the Queued column. */
function queuedPages(page: Page): { urls: string[]; stop: () => void } {
  const urls: string[] = [];
  const on = (r: Request) => {
    const url = new URL(r.url());
    if (url.pathname === '/api/v1/tasks' && url.searchParams.get('status') === 'queued,assigned') urls.push(r.url());
  };
  page.on('request', on);
  return { urls, stop: () => page.off('request', on) };
}

/** A fresh document each time: a hash change alone would keep the previous test's selection and notes. */
async function openBoard(page: Page, hash = '#/') {
  await page.goto('about:blank');
  await page.goto(`${server.url}/${hash}`);
  await page
    .locator(`${column('queued')} .card`)
    .first()
    .waitFor({ timeout: 15_000 });
}

describe('board over 10,000 tasks', () => {
  it('searches on the server: finds a task on no first page, and the headers count the matches', async () => {
    const { page } = browser;
    await openBoard(page);
    const counts = await api<{ byStatus: Record<string, number> }>(server.url, 'GET', '/tasks/counts?parents=false');
    expect(await headerCount(page, 'queued')).toBe((counts.byStatus.queued ?? 0) + (counts.byStatus.assigned ?? 0));
    expect(await headerCount(page, 'queued')).toBeGreaterThan(QUEUED);
    expect(await page.locator(card('queued', seeded.needle.id)).count()).toBe(0);
    await page.getByLabel('Search').fill('zeppelin');
    await page.locator(card('queued', seeded.needle.id)).waitFor();
    await expect(page.locator(card('queued', seeded.needle.id)).textContent()).resolves.toContain(NEEDLE_TITLE);
    expect(await headerCount(page, 'queued')).toBe(1);
    expect(await page.locator(`${column('queued')} .card`).count()).toBe(1);
    expect(await page.locator(`${column('completed')} .card`).count()).toBe(0);
    // Filters combine on the server too: the needle is low priority, so high finds nothing.
    await page.getByLabel('Priority').selectOption('high');
    await page.waitForURL(/priority=high/);
    await page.locator(`${column('queued')} .empty`).waitFor();
    expect(await headerCount(page, 'queued')).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('shows the last error of failed cards, the blocker of blocked ones, and epics in their own lane', async () => {
    const { page } = browser;
    await openBoard(page);
    await expect(page.locator(card('failed', seeded.failed.id)).textContent()).resolves.toContain(FAILED_ERROR.slice(0, 40));
    const waits = page.locator(`${card('blocked', seeded.blocked.id)} .card-flag.waits`);
    await waits.getByText(`#${seeded.blocker.id} Provision the staging database`).waitFor();
    await page.locator(card('epics', seeded.epic.id)).waitFor();
    expect(await page.locator(`${column('executing')} [data-task-id="${seeded.epic.id}"]`).count()).toBe(0);
    expect(await headerCount(page, 'epics')).toBe(1);
    // Queued is in claim order: the critical subtasks of nothing, then the normal routine checks by id.
    const first = await page
      .locator(`${column('queued')} .card`)
      .first()
      .getAttribute('data-task-id');
    expect(Number(first)).not.toBe(seeded.needle.id);
  });

  it('scrolls 10,000 queued cards keeping only those in view in the page, fetching pages by cursor', async () => {
    const { page } = browser;
    await openBoard(page);
    const pages = queuedPages(page);
    try {
      const scroller = page.getByTestId('scroll-queued');
      for (let i = 0; i < 12; i++) {
        await scroller.evaluate((el) => el.scrollBy(0, 1500));
        await page.waitForTimeout(120);
      }
      // The rows drawn are far down the list.
      await page.waitForFunction(
        `Math.max(...[...document.querySelectorAll('[data-column="queued"] .vrow')].map((r) => Number(r.dataset.index))) > 120`,
      );
      const rendered = await page.locator(`${column('queued')} .card`).count();
      expect(rendered).toBeGreaterThan(3);
      expect(rendered).toBeLessThan(40);
      // Every request after the first page continues by cursor, and far fewer than all pages were asked for.
      expect(pages.urls.length).toBeGreaterThan(1);
      expect(pages.urls.length).toBeLessThan(20);
      for (const url of pages.urls) expect(new URL(url).searchParams.get('cursor')).toBeTruthy();
      const top = await page
        .locator(`${column('queued')} .vrow`)
        .first()
        .getAttribute('data-index');
      expect(Number(top)).toBeGreaterThan(50);
    } finally {
      pages.stop();
    }
  });

  it('compact density shows at least 12 cards per column at 1440×900, and is remembered', async () => {
    const { page } = browser;
    await openBoard(page);
    await page.getByRole('button', { name: 'Compact' }).click();
    await page.locator('.card.compact').first().waitFor();
    const fully = await page.getByTestId('scroll-queued').evaluate((el) => {
      const box = el.getBoundingClientRect();
      return [...el.querySelectorAll('.card')].filter((c) => {
        const r = c.getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
      }).length;
    });
    expect(fully).toBeGreaterThanOrEqual(12);
    await screenshot(page, 'board-compact-1440x900');
    await page.reload();
    await page
      .locator(`${column('queued')} .card.compact`)
      .first()
      .waitFor();
    expect(await page.getByRole('button', { name: 'Compact' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Compact' }).click();
    await page
      .locator(`${column('queued')} .card:not(.compact)`)
      .first()
      .waitFor();
  });

  it('refuses a drag the lifecycle forbids, saying why and changing nothing; allows one it permits', async () => {
    const { page } = browser;
    await openBoard(page);
    const done = page.locator(card('completed', seeded.completed.id));
    const alert = page.locator('.board-note[role="alert"]');
    // On a loaded machine a synthetic drag can start before the board answers to it: drag again.
    for (let attempt = 1; ; attempt++) {
      await done.dragTo(page.locator(`${column('queued')} .column-scroll`));
      const shown = await alert.waitFor({ timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (shown || attempt === 3) break;
    }
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/illegal_transition/);
    expect(await alert.textContent()).toMatch(new RegExp(`cannot move task ${seeded.completed.id} from Completed to Queued`));
    expect(await statusOf(seeded.completed.id)).toBe('completed');
    await alert.getByRole('button', { name: 'dismiss' }).click();

    // Failed to Queued is a retry; Queued to Paused a pause.
    await page.locator(card('failed', seeded.failed.id)).dragTo(page.locator(`${column('queued')} .column-scroll`));
    await page.locator('.board-note[role="status"]').getByText(`Requeued task #${seeded.failed.id}.`).waitFor();
    expect(await statusOf(seeded.failed.id)).toBe('queued');
    await page.locator(card('queued', seeded.failed.id)).waitFor();
    await page.locator(card('queued', seeded.failed.id)).dragTo(page.locator(`${column('paused')} .column-scroll`));
    await page.locator(card('paused', seeded.failed.id)).waitFor();
    expect(await statusOf(seeded.failed.id)).toBe('paused');

    // Cancelled is not shown: a drop zone for it appears once the drag starts.
    const box = await page.locator(card('paused', seeded.failed.id)).boundingBox();
    if (!box) throw new Error('no card to drag');
    await page.mouse.move(box.x + 30, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + 60, { steps: 4 });
    const zone = page.getByRole('region', { name: 'Drop here to cancel' });
    await zone.waitFor();
    const at = await zone.boundingBox();
    if (!at) throw new Error('no drop zone');
    await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2, { steps: 6 });
    await page.mouse.up();
    await page.locator('.board-note[role="status"]').getByText(`Cancelled task #${seeded.failed.id}.`).waitFor();
    expect(await statusOf(seeded.failed.id)).toBe('cancelled');
    expect(await page.locator(`[data-task-id="${seeded.failed.id}"]`).count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('selects a range with shift-click and acts on it in one all-or-nothing bulk call', async () => {
    const { page } = browser;
    await openBoard(page);
    const cards = page.locator(`${column('queued')} .card`);
    const ids = (await cards.evaluateAll((els) =>
      els.slice(0, 3).map((e) => Number(e.getAttribute('data-task-id'))),
    )) as number[];
    await cards.nth(0).getByRole('checkbox').click();
    await cards
      .nth(2)
      .getByRole('checkbox')
      .click({ modifiers: ['Shift'] });
    const bar = page.getByRole('toolbar', { name: 'act on selected tasks' });
    await bar.getByText('3 selected').waitFor();
    const bulk = page.waitForRequest((r) => r.url().endsWith('/api/v1/tasks/bulk') && r.method() === 'POST');
    await bar.getByRole('button', { name: 'Pause' }).click();
    expect((await bulk).postDataJSON()).toEqual({ action: 'pause', ids });
    await page.locator('.board-note[role="status"]').getByText('Paused 3 tasks.').waitFor();
    for (const id of ids) expect(await statusOf(id)).toBe('paused');
    await page.locator(card('paused', ids[0] as number)).waitFor();

    // A paused and a queued task cannot both resume: the batch is refused whole.
    const queuedId = Number(await cards.first().getAttribute('data-task-id'));
    await page
      .locator(card('paused', ids[0] as number))
      .getByRole('checkbox')
      .click();
    await page.locator(card('queued', queuedId)).getByRole('checkbox').click();
    await bar.getByRole('button', { name: 'Resume' }).click();
    const alert = page.locator('.board-note[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/nothing was changed/);
    expect([await statusOf(ids[0] as number), await statusOf(queuedId)]).toEqual(['paused', 'queued']);
  });

  it('lays out at desktop and phone sizes (screenshots in test-artifacts/)', async () => {
    const { page } = browser;
    await openBoard(page);
    await page
      .locator(`${card('blocked', seeded.blocked.id)} .card-flag.waits a`)
      .getByText(/Provision/)
      .waitFor();
    await screenshot(page, 'board-1440x900');
    await page.setViewportSize({ width: 390, height: 844 });
    await openBoard(page);
    await page
      .locator(`${card('blocked', seeded.blocked.id)} .card-flag.waits a`)
      .getByText(/Provision/)
      .waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    // A column fills most of the phone's width and its cards scroll inside it.
    const width = await page.locator(column('queued')).evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(300);
    await screenshot(page, 'board-390x844');
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(browser.errors).toEqual([]);
  });
});
