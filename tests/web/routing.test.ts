import { describe, expect, it } from 'vitest';
import { api, useDashboard } from './harness.js';

const ui = useDashboard();

const post = (path: string, body: unknown) =>
  fetch(`${ui.server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('stuck work and claiming one task, over HTTP and on the dashboard', () => {
  it('POST /tasks/:id/claim claims that task; a second claim is refused with 409 and its code', async () => {
    const task = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', { title: 'Pick me', capabilities: ['react'] });
    const first = await post(`/tasks/${task.id}/claim`, { workerId: 'ui-1', capabilities: ['react'] });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id: task.id, status: 'executing', lease: { owner: 'ui-1', token: 1 } });
    const second = await post(`/tasks/${task.id}/claim`, { workerId: 'ui-2', capabilities: ['react'] });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('illegal_transition');
    const lacks = await post(`/tasks/${task.id + 1_000}/claim`, { workerId: 'ui-2' });
    expect(lacks.status).toBe(404);
    const openapi = await api<{ paths: Record<string, unknown> }>(ui.server.url, 'GET', '/openapi.json');
    expect(Object.keys(openapi.paths)).toContain('/api/v1/tasks/{id}/claim');
  });

  it('the queue page says which ready tasks no online worker can take, and the task page why', async () => {
    await api(ui.server.url, 'POST', '/workers', { id: 'frontend', capabilities: ['react', 'typescript'] });
    const rust = await api<{ id: number }>(ui.server.url, 'POST', '/tasks', {
      title: 'Port the parser to Rust',
      capabilities: ['rust'],
    });
    await api(ui.server.url, 'POST', '/tasks', { title: 'Rust docs', capabilities: ['rust', 'docs'] });
    const status = await api<{ stuck: { messages: string[] } }>(ui.server.url, 'GET', '/status');
    const line = '2 ready tasks need capabilities no online worker has: rust ×2, docs ×1';
    expect(status.stuck.messages).toEqual([line]);

    const { page } = ui.browser;
    await page.goto(`${ui.server.url}/#/queue`);
    const notice = page.getByRole('status', { name: 'Stuck work' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain(line);
    await page.goto(`${ui.server.url}/#/tasks/${rust.id}`);
    await page.getByText('Not being taken:').waitFor();
    expect(await page.getByText('no online worker has rust').count()).toBe(1);
    expect(ui.browser.errors).toEqual([]);
  });
});
