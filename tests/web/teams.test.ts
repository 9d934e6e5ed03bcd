import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { api, type Browser, openBrowser, type Served, screenshot, startServer } from './harness.js';

let server: Served;
let browser: Browser;
let teamTask: Task;
let swarm: Task;

const call = <T = Task>(method: string, path: string, body?: unknown) => api<T>(server.url, method, path, body);

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser({ width: 1440, height: 900 });
  for (const id of ['w_lead', 'w_dev', 'w_other']) await call('POST', '/workers', { id, capabilities: ['code'] });
  await call('POST', '/teams', { name: 'backend', members: ['w_lead', 'w_dev'], leader: 'w_lead' });
  teamTask = await call('POST', '/tasks', {
    title: 'Migrate the accounts table',
    capabilities: ['code'],
    team: 'backend',
    collaborators: ['w_other'],
    noBreakdown: true,
  });
  await call('POST', `/tasks/${teamTask.id}/claim`, { workerId: 'w_dev' });
  await call('POST', '/tasks', { title: 'Reserved for the lead', capabilities: ['code'], assignee: 'w_lead', noBreakdown: true });
  swarm = await call('POST', '/tasks', { title: 'Pick a name', swarm: 3, merge: 'vote' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('dashboard: workload, teams and a task of a team', () => {
  it("shows each worker's load on the Workers page, and the teams with their members' load", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#/workers`);
    const dev = page.locator('tr[data-worker="w_dev"]');
    await dev.waitFor();
    await page.locator('tr[data-worker="w_dev"] td[data-load="running"]').waitFor();
    expect(await dev.locator('[data-load="running"]').textContent()).toBe('1');
    expect(await dev.locator('[data-load="teams"]').textContent()).toBe('backend');
    const lead = page.locator('tr[data-worker="w_lead"]');
    expect(await lead.locator('[data-load="reserved"]').textContent()).toBe('1');
    // The three swarm attempts are open to anyone: each worker could serve one.
    expect(await page.locator('tr[data-worker="w_other"] [data-load="demand"]').textContent()).toBe('3');
    const member = page.locator('tr[data-team="backend"][data-member="w_lead"]');
    await member.waitFor();
    expect(await member.textContent()).toContain('leader');
    await screenshot(page, 'workers-load-teams');
  });

  it('shows the team, collaborators and swarm of a task on its page', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/#/tasks/${teamTask.id}`);
    const fields = page.locator('dl.fields');
    await fields.waitFor();
    await page.getByText('w_other', { exact: true }).waitFor();
    const text = (await fields.textContent()) ?? '';
    expect(text).toContain('Teambackend');
    expect(text).toContain('Collaboratorsw_other');
    await page.goto(`${server.url}/#/tasks/${swarm.id}`);
    await page.getByText('3 attempts by different workers, merged by vote').waitFor();
  });
});
