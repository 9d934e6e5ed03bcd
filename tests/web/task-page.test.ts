import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { api, type Browser, openBrowser, type Served, screenshot, startServer } from './harness.js';

// One server and one browser for the file; each test makes the tasks it needs through the API.
let server: Served;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser({ width: 1440, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const create = (body: Record<string, unknown>) => api<Task>(server.url, 'POST', '/tasks', { noBreakdown: true, ...body });
const get = (id: number) => api<Task>(server.url, 'GET', `/tasks/${id}`);

const XSS = [
  '# Plan',
  '',
  'Ship **billing** first, then [the docs](https://example.com/docs).',
  '',
  '<script>window.__xss = "script"</script>',
  '<img src="x" onerror="window.__xss = \'img\'">',
  '[click me](javascript:window.__xss=%22link%22)',
  '<a href="#" onclick="window.__xss = \'click\'">inline handler</a>',
].join('\n');

describe('task page', () => {
  it('shows how an auctioned task was assigned: the outcome and the bids, best first', async () => {
    const { page } = browser;
    for (const id of ['ci-1', 'ci-2']) await api(server.url, 'POST', '/workers', { id, capabilities: ['build'] });
    const task = await create({ title: 'Build the release', capabilities: ['build'], assignment: 'auction' });
    await api(server.url, 'POST', `/tasks/${task.id}/bids`, { workerId: 'ci-1', score: 0.4 });
    await api(server.url, 'POST', `/tasks/${task.id}/bids`, {
      workerId: 'ci-2',
      score: 0.8,
      etaSeconds: 600,
      note: 'warm cache',
    });
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    const panel = page.locator('[data-assignment="auction"]');
    await panel.getByText('closed: won → ci-2').waitFor();
    expect(await panel.locator('[data-bid]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-bid')))).toEqual([
      'ci-2',
      'ci-1',
    ]);
    expect(await panel.locator('[data-bid="ci-2"]').innerText()).toMatch(/0\.80\s+10 min\s+warm cache/);
    expect(browser.errors).toEqual([]);
  });

  it('edits title, description, tags and dependencies inline, and the server has each change', async () => {
    const { page } = browser;
    const dep = await create({ title: 'Design the billing schema' });
    const other = await create({ title: 'Write the migration scripts' });
    const task = await create({ title: 'Ship billing', tags: ['q3'], dependsOn: [dep.id] });
    await page.goto(`${server.url}/#/tasks/${task.id}`);

    await page.getByRole('button', { name: 'Edit title' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Ship the billing API');
    await page.getByLabel('Title', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: /Ship the billing API/ }).waitFor();

    await page.getByRole('button', { name: 'Edit description' }).click();
    await page.getByRole('textbox', { name: 'Description' }).fill('Needs **care** with `money`.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.markdown strong', { hasText: 'care' }).waitFor();
    expect(await page.locator('.markdown code').textContent()).toBe('money');

    await page.getByRole('button', { name: 'Edit tags' }).click();
    await page.getByLabel('Tags', { exact: true }).fill('q3, billing');
    await page.getByLabel('Tags', { exact: true }).press('Enter');
    await page.locator('[data-field="tags"] .chip', { hasText: 'billing' }).waitFor();

    // The picker searches the server's index: "migration" finds a task by a word of its title.
    await page.getByLabel('Add a dependency').fill('migration');
    await page.getByRole('option', { name: /Write the migration scripts/ }).click();
    await page.locator(`[data-dep="${other.id}"]`).waitFor();
    await page.getByRole('button', { name: `Remove dependency #${dep.id}` }).click();
    await page.locator(`[data-dep="${dep.id}"]`).waitFor({ state: 'detached' });

    const saved = await get(task.id);
    expect(saved).toMatchObject({
      title: 'Ship the billing API',
      description: 'Needs **care** with `money`.',
      tags: ['q3', 'billing'],
      dependsOn: [other.id],
    });
    // The timeline says what happened, in words.
    await page.locator('.timeline').getByText(`removed the dependency on #${dep.id}`).waitFor();
    const timeline = await page.locator('.timeline').innerText();
    expect(timeline).toContain('renamed it from “Ship billing” to “Ship the billing API”');
    expect(timeline).toContain('tags +billing');
    expect(timeline).toContain(`made it wait for #${other.id}`);
    expect(timeline).toContain(`removed the dependency on #${dep.id}`);
    expect(browser.errors).toEqual([]);
  });

  it('refuses an edit made over a change from elsewhere, keeps the draft, and saves once rebased', async () => {
    const { page } = browser;
    const task = await create({ title: 'Rotate the keys' });
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    await page.getByRole('button', { name: 'Edit title' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Rotate the API keys');
    // Someone else renames it meanwhile; the page follows live, the editor keeps its base version.
    await api(server.url, 'PATCH', `/tasks/${task.id}`, { title: 'Rotate the signing keys' });
    await page.getByText(/Changed by someone else since you began/).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('version_mismatch');
    expect(await page.locator('.conflict-current').textContent()).toBe('Rotate the signing keys');
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Rotate the API keys');
    expect((await get(task.id)).title).toBe('Rotate the signing keys');

    await page.getByRole('button', { name: 'Edit over the current version' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /Rotate the API keys/ }).waitFor();
    expect((await get(task.id)).title).toBe('Rotate the API keys');
  });

  it('renders a description as markdown and runs nothing it holds', async () => {
    const { page } = browser;
    const task = await create({ title: 'Untrusted text', description: XSS });
    // A fresh page (not a hash change from the last test's task); the first paint may load chunks
    // slowly on a busy machine.
    await page.goto('about:blank');
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    const body = page.locator('[data-field="description"]');
    await body.locator('h1', { hasText: 'Plan' }).waitFor({ timeout: 20_000 });
    expect(await body.locator('strong').textContent()).toBe('billing');
    expect(await body.locator('a[href="https://example.com/docs"]').getAttribute('rel')).toBe('noopener noreferrer');
    // Raw HTML is shown as text, never as elements.
    const text = await body.innerText();
    expect(text).toContain('<script>window.__xss = "script"</script>');
    expect(text).toContain('<img src="x" onerror=');
    expect(await body.locator('script, img, [onerror], [onclick]').count()).toBe(0);
    expect(await body.locator('a[href^="javascript"]').count()).toBe(0);
    await body.getByText('click me').click();
    await page.waitForTimeout(300);
    expect(await page.evaluate<string | undefined>('window.__xss')).toBeUndefined();
    expect(browser.errors).toEqual([]);
  });

  it('tells the history in sentences and folds lease renewals into one line', async () => {
    const { page } = browser;
    await api(server.url, 'POST', '/workers', { id: 'w1', capabilities: ['code'] });
    const task = await create({ title: 'Write the tests', capabilities: ['code'] });
    const claimed = await api<Task>(server.url, 'POST', `/tasks/${task.id}/claim`, { workerId: 'w1', capabilities: ['code'] });
    const lease = { workerId: 'w1', token: claimed.lease?.token };
    for (let i = 0; i < 12; i++) await api(server.url, 'POST', `/tasks/${task.id}/heartbeat`, lease);
    await api(server.url, 'POST', `/tasks/${task.id}/progress`, { ...lease, progress: 40, note: 'Writing tests' });
    await api(server.url, 'POST', `/tasks/${task.id}/complete`, lease);

    await page.goto(`${server.url}/#/tasks/${task.id}`);
    await page.locator('.timeline li').first().waitFor();
    const lines = (await page.locator('.timeline .tl-text').allTextContents()).reverse();
    expect(lines[0]).toMatch(/created it$/);
    expect(lines).toContain('w1 claimed it');
    expect(lines).toContain('w1 renewed the lease 12 times');
    expect(lines).toContain('progress 40 % — Writing tests');
    expect(lines.at(-1)).toMatch(/^completed by w1 in \d/);
    expect(lines.length).toBe(5);
    const all = await page.locator('.timeline').innerText();
    for (const raw of ['expiresAt', 'token', '{', 'lease_renewed']) expect(all).not.toContain(raw);
    await screenshot(page, 'task-page-timeline');
  });

  it('lays out a graph of 100 tasks without overlaps, and pans and zooms it', async () => {
    const { page } = browser;
    // 10 roots ← 30 upstream ← the task ← 40 downstream ← 19 further: 100 tasks.
    const roots = await Promise.all(Array.from({ length: 10 }, (_, i) => create({ title: `Root ${i}` })));
    const ups = await Promise.all(
      Array.from({ length: 30 }, (_, i) => create({ title: `Upstream ${i}`, dependsOn: [roots[i % 10]?.id as number] })),
    );
    const task = await create({ title: 'The middle of it all', dependsOn: ups.map((u) => u.id) });
    const downs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => create({ title: `Downstream ${i}`, dependsOn: [task.id] })),
    );
    await Promise.all(
      Array.from({ length: 19 }, (_, i) => create({ title: `Further ${i}`, dependsOn: [downs[i * 2]?.id as number] })),
    );
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    const nodes = page.locator('.graph a[data-node]');
    await page.locator('.graph-wrap[data-nodes="100"]').waitFor();
    await nodes.first().waitFor();
    expect(await nodes.count()).toBe(100);
    await page.getByRole('button', { name: 'Fit' }).click();
    const boxes = await page.$$eval('.graph rect.node', (rects) =>
      rects.map((r) => {
        const b = r.getBoundingClientRect();
        return { x: b.x, y: b.y, w: b.width, h: b.height };
      }),
    );
    expect(boxes.length).toBe(100);
    const overlaps: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i] as (typeof boxes)[number];
        const b = boxes[j] as (typeof boxes)[number];
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push(`${i}/${j}`);
      }
    }
    expect(overlaps).toEqual([]);
    // Fit shows it whole; "This task" brings it back to a readable scale around this task.
    const scale = async () => Number(/(\d+)%/.exec((await page.locator('.graph-tools').textContent()) ?? '')?.[1]);
    const fitted = await scale();
    await page.getByRole('button', { name: 'This task' }).click();
    expect(await scale()).toBeGreaterThanOrEqual(80);
    await page.getByRole('button', { name: 'zoom in' }).click();
    expect(await scale()).toBeGreaterThan(fitted);
    const me = page.locator(`.graph a[data-node="${task.id}"] rect`);
    await page.locator('.graph-box').scrollIntoViewIfNeeded();
    const before = await me.boundingBox();
    const box = await page.locator('.graph-box').boundingBox();
    if (!before || !box) throw new Error('graph not drawn');
    await page.mouse.move(box.x + 40, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 140, box.y + 90, { steps: 5 });
    await page.mouse.up();
    const after = await me.boundingBox();
    expect(Math.round((after?.x ?? 0) - before.x)).toBe(100);
    expect(Math.round((after?.y ?? 0) - before.y)).toBe(50);
    // The drag did not open the task under the pointer.
    expect(page.url()).toContain(`/tasks/${task.id}`);
    await screenshot(page, 'task-page-graph');
  }, 120_000);

  it('screenshots the task page at desktop and phone width', async () => {
    const { page } = browser;
    const dep = await create({ title: 'Agree the invoice format' });
    const task = await create({
      title: 'Send invoices by email',
      description: 'Each customer gets a **PDF** invoice.\n\n- render\n- sign\n- send',
      capabilities: ['code'],
      tags: ['billing'],
      estimateMinutes: 270,
      dependsOn: [dep.id],
    });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    await page.locator('.markdown li').first().waitFor();
    await page.locator('.graph a[data-node]').first().waitFor();
    await screenshot(page, 'task-page-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('.graph a[data-node]').first().waitFor();
    // The graph fits the phone's width: both tasks in view.
    const view = await page.locator('.graph-box').boundingBox();
    for (const id of [dep.id, task.id]) {
      const node = await page.locator(`.graph a[data-node="${id}"] rect`).boundingBox();
      expect(node && view && node.x >= view.x && node.x + node.width <= view.x + view.width, `node ${id} in view`).toBe(true);
    }
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'task-page-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(browser.errors).toEqual([]);
  });
});
