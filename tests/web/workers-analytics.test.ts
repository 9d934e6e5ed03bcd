import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { api, type Browser, openBrowser, type Served, screenshot, startServer } from './harness.js';

let server: Served;
let browser: Browser;

const post = <T = Task>(path: string, body: unknown) => api<T>(server.url, 'POST', path, body);

/** Claims task `id` as `worker`, writes a line of output, then completes or fails it. */
async function work(id: number, worker: string, outcome: 'complete' | 'fail' | 'hold' = 'complete'): Promise<void> {
  const claimed = await post(`/tasks/${id}/claim`, { workerId: worker });
  const lease = { workerId: worker, token: claimed.lease?.token };
  await post(`/tasks/${id}/logs`, { ...lease, attempt: claimed.attempts, text: `running task ${id} on ${worker}\n` });
  if (outcome === 'complete') await post(`/tasks/${id}/complete`, lease);
  if (outcome === 'fail') await post(`/tasks/${id}/fail`, { ...lease, error: 'the disk is full' });
}

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser({ width: 1440, height: 900 });
  for (const id of ['w_busy', 'w_idle', 'w_gone', 'w_left']) await post('/workers', { id, capabilities: ['code'] });
  const add = (title: string, extra: Record<string, unknown> = {}) => post('/tasks', { title, noBreakdown: true, ...extra });
  const done = await add('Index the invoices', { capabilities: ['code'], tags: ['billing'] });
  const broken = await add('Compress the archive', { tags: ['ops'], maxRetries: 0 });
  const held = await add('Rebuild the search index', { capabilities: ['code'] });
  await work(done.id, 'w_busy');
  await work(broken.id, 'w_busy', 'fail');
  await work(held.id, 'w_busy', 'hold');
  // An epic broken down on creation, with one of its subtasks done.
  const epic = await post('/tasks', { title: 'Build a REST API for billing', estimate: '5d' });
  const first = (await api<{ tasks: Task[] }>(server.url, 'GET', `/tasks?parent=${epic.id}&ready=true&limit=1`)).tasks[0];
  if (first) await work(first.id, 'w_idle');
  for (const id of ['w_gone', 'w_left']) await api(server.url, 'DELETE', `/workers/${id}`);
  await post('/workers/w_busy/heartbeat', { usage: { rssBytes: 120 * 1024 * 1024, cpuPercent: 37.4 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('workers, a worker, analytics', () => {
  it('lists online workers first and folds offline ones under a toggle', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#/workers`);
    await page.locator('tr[data-worker="w_busy"]').waitFor();
    const rows = async () =>
      page.locator('tr[data-worker]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-worker')));
    expect(await rows()).toEqual(['w_busy', 'w_idle']);
    // What the process uses, from its last heartbeat; none reported yet for w_idle.
    const usage = (id: string) => page.locator(`tr[data-worker="${id}"] td`).nth(3).textContent();
    expect(await usage('w_busy')).toBe('120 MB · 37%');
    expect(await usage('w_idle')).toBe('—');
    const toggle = page.getByRole('button', { name: 'Show 2 offline workers' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await page.locator('tr[data-worker="w_gone"]').waitFor();
    const all = await rows();
    expect(all.slice(0, 2)).toEqual(['w_busy', 'w_idle']);
    expect(new Set(all.slice(2))).toEqual(new Set(['w_gone', 'w_left']));
    expect(await page.locator('tr[data-worker="w_gone"]').getAttribute('data-health')).toBe('offline');
    await screenshot(page, 'workers-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('tr[data-worker="w_busy"]').waitFor();
    await screenshot(page, 'workers-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("opens a worker's page: current and recent tasks, success rate, its output", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#/workers`);
    await page.getByRole('link', { name: 'w_busy' }).click();
    await page.getByRole('heading', { name: /w_busy/ }).waitFor();
    expect(page.url()).toContain('#/workers/w_busy');
    expect(await page.getByTestId('success-rate').textContent()).toBe('50%');
    const current = page.locator('section[aria-labelledby="current-title"]');
    expect(await current.innerText()).toContain('Rebuild the search index');
    const recent = page.locator('section[aria-labelledby="recent-title"]');
    expect(await recent.innerText()).toContain('Index the invoices');
    expect(await recent.innerText()).toContain('the disk is full');
    // The output of the task it holds, as kept by the server.
    await page.locator('pre.log').waitFor();
    expect(await page.locator('pre.log').textContent()).toMatch(/running task \d+ on w_busy/);
    await screenshot(page, 'worker-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('pre.log').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'worker-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(browser.errors).toEqual([]);
  });

  it('asks the server for the range chosen; legends give values; breakdowns and an epic burndown show', async () => {
    const { page } = browser;
    const asked: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/analytics')) asked.push(new URL(r.url()).searchParams.get('range') ?? '');
    });
    await page.goto(`${server.url}/#/analytics`);
    await page.getByTestId('throughput').locator('.uplot').waitFor();
    expect(asked).toEqual(['24h']);
    expect(await page.getByTestId('completed-total').textContent()).toBe('2');
    const legend = page.getByTestId('throughput').locator('.legend');
    expect(await legend.innerText()).toMatch(/completed\s+2 in all/);
    expect(await legend.innerText()).toMatch(/failed\s+1 in all/);
    expect(await page.getByTestId('by-capability').innerText()).toMatch(/code\s+1 completed, 0 failed/);
    expect(await page.getByTestId('by-tag').innerText()).toMatch(/ops\s+0 completed, 1 failed/);
    // The epic burndown: picked from the epics with work finished in the range.
    const burndown = page.getByTestId('burndown');
    await burndown.locator('.uplot').waitFor();
    expect(await page.locator('.burndown').getAttribute('data-done')).toBe('1');

    await page.getByRole('radio', { name: '7 d' }).click();
    await page.waitForFunction("location.hash.includes('range=7d')");
    await page.getByText('completed in the last 7 d').waitFor();
    expect(asked).toEqual(['24h', '7d']);
    expect(await page.getByRole('radio', { name: '7 d' }).isChecked()).toBe(true);
    await page.getByRole('radio', { name: '1 h' }).click();
    await page.getByText('completed in the last 1 h').waitFor();
    expect(asked.at(-1)).toBe('1h');
    // Hovering a bar shows that bucket's value instead of the summary.
    const chart = page.getByTestId('throughput').locator('.u-over');
    await chart.waitFor();
    const area = await chart.boundingBox();
    if (!area) throw new Error('no chart');
    await page.mouse.move(area.x + area.width - 4, area.y + area.height / 2);
    await legend.locator('.legend-at').waitFor();
    expect(await legend.locator('.legend-value').first().textContent()).toMatch(/^\d+ tasks$/);
    await page.mouse.move(0, 0);

    await page.goto(`${server.url}/#/analytics?range=24h`);
    await burndown.locator('.uplot').waitFor();
    await screenshot(page, 'analytics-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await burndown.locator('.uplot').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'analytics-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(browser.errors).toEqual([]);
  });
});
