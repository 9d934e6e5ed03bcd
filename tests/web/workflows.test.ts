import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, useDashboard } from './harness.js';

const EXAMPLE = readFileSync(resolve(import.meta.dirname, '../../docs/examples/release.yaml'), 'utf8');

const ui = useDashboard();

describe('dashboard: the Workflows page', () => {
  it('lists registered workflows with their version and steps, shows one step by step, and follows new versions live', async () => {
    await api(ui.server.url, 'POST', '/workflows', { source: EXAMPLE });
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/`);
    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    const row = page.locator('[data-workflow="release"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 2)).toEqual(['v1', '7']);
    // Two triggers; the cron one ("0 3 * * *" in Paris) names its next fire time.
    expect(cells[2]).toMatch(/^2next \d{4}-\d\d-\d\dT0[12]:00:00(?:\.000)?Z$/);
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
    await api(ui.server.url, 'POST', '/workflows', { source: EXAMPLE.replace('max: 10,', 'max: 11,') });
    await page.locator('[data-workflow="release"] td', { hasText: 'v2' }).waitFor();
    expect(ui.browser.errors).toEqual([]);
  });

  it('lists runs, opens one with its steps and task links, and follows it live', async () => {
    const flow =
      'name: ship\nsteps:\n  - id: build\n    task: { title: Build it }\n  - id: test\n    needs: [build]\n    task: { title: Test it }\n';
    await api(ui.server.url, 'POST', '/workflows', { source: flow });
    const run = (await api(ui.server.url, 'POST', '/workflows/ship/runs', {})) as { id: number; tasks: { id: number }[] };
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/workflows?name=ship`);
    const row = page.locator(`[data-run="${run.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('running');
    await row.getByRole('link', { name: `#${run.id}` }).click();
    await page.locator('[data-step="build"][data-status="running"]').waitFor();
    const task = run.tasks[0]?.id as number;
    expect(
      await page
        .locator('[data-step="build"]')
        .getByRole('link', { name: `#${task}` })
        .getAttribute('href'),
    ).toContain(`/tasks/${task}`);
    expect(await page.locator('[data-step="test"]').getAttribute('data-status')).toBe('pending');

    // Cancelled elsewhere: the page follows without a reload.
    await api(ui.server.url, 'POST', `/runs/${run.id}/cancel`, {});
    await page.locator('[data-step="build"][data-status="cancelled"]').waitFor();
    expect(await page.locator('[data-step="test"]').getAttribute('data-status')).toBe('cancelled');
    expect(ui.browser.errors).toEqual([]);
  });

  it('approves an approval step from the run page, and the run goes on', async () => {
    const flow =
      'name: gate\nsteps:\n  - id: approve\n    approval: { by: [admin], timeout: 1d }\n  - id: ship\n    needs: [approve]\n    task: { title: Ship }\n';
    await api(ui.server.url, 'POST', '/workflows', { source: flow });
    const run = (await api(ui.server.url, 'POST', '/workflows/gate/runs', {})) as { id: number };
    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/workflows?run=${run.id}`);
    const step = page.locator('[data-step="approve"][data-status="waiting"]');
    await step.waitFor();
    await step.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-step="approve"][data-status="completed"]').waitFor();
    await page.locator('[data-step="ship"][data-status="running"]').waitFor();
    expect(await page.locator('[data-step="approve"]').textContent()).toContain('approved by');
    expect(ui.browser.errors).toEqual([]);
  });
});
