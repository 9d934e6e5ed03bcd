import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocument, PlanImport, TaskDetail, TaskPage } from '../../src/app/baton.js';
import type { ExportedPlanNode } from '../../src/core/plan/types.js';
import { cli, json } from '../cli/run-cli.js';
import { AUTH_PLAN } from '../helpers/auth-plan.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { postgresBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';

// The shared plan, without its dependency on a task of another store.
const PLAN = AUTH_PLAN.replace(' and task 57', '');

/** The shape of an exported tree without its ids: what a round trip must keep. */
const shape = (nodes: ExportedPlanNode[]): unknown[] =>
  nodes.map(({ id: _id, subtasks, ...rest }) => ({ ...rest, subtasks: shape(subtasks) }));

describe.each([sqliteBackend, postgresBackend])('plan import and export through the binary and HTTP ($name)', (backend) => {
  let store: TestStore;
  let server: ServeProcess;
  const local = (args: string[]) => cli(store.cwd, ['--db', store.db, ...args]);
  const remote = (args: string[]) => cli(store.cwd, ['--server', server.url, ...args]);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const total = () => json<TaskPage>(local(['list', '--all', '--json'])).total;

  beforeAll(async () => {
    store = await backend.fresh();
    writeFileSync(join(store.cwd, 'plan.md'), PLAN);
    server = await startServe(store);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await store?.remove();
  });

  it('a dry run shows the tree and writes nothing; the import writes it in one go, ready work first', () => {
    const dry = local(['plan', 'import', 'plan.md', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run, nothing written; the plan (Markdown) would create 11 tasks');
    expect(dry.stdout).toMatch(/4\. Callback endpoint .*blocked {2}after 3\./);
    expect(total()).toBe(0);

    const made = json<PlanImport>(remote(['plan', 'import', 'plan.md', '--json']));
    expect(made).toMatchObject({ dryRun: false, source: 'markdown', created: 11 });
    expect(total()).toBe(11);
    const ids = new Map<string, number>();
    const walk = (list: PlanImport['tasks']) =>
      list.forEach((t) => {
        ids.set(t.title, t.id as number);
        walk(t.subtasks);
      });
    walk(made.tasks);
    const callback = json<TaskDetail>(local(['show', String(ids.get('Callback endpoint')), '--json'])).task;
    expect(callback).toMatchObject({
      status: 'blocked',
      parentId: ids.get('OAuth login'),
      capabilities: ['backend', 'api'],
      priority: 'high',
      description: 'Exchanges the code for a token.',
      dependsOn: [ids.get('Register the OAuth app')],
    });
    expect(json<TaskDetail>(local(['show', String(ids.get('Choose the library')), '--json'])).task.status).toBe('completed');
    // Only what waits for nothing may be claimed: the rest follows the plan's order.
    const ready = json<TaskPage>(local(['list', '--ready', '--json'])).tasks.map((t) => t.title);
    expect(ready).toEqual(['Register the OAuth app']);
    const tests = json<TaskDetail>(local(['show', String(ids.get('Reset tests')), '--json'])).task;
    expect(tests.dependsOn.sort((a, b) => a - b)).toEqual(
      [ids.get('OAuth login'), ids.get('Reset email template'), ids.get('Reset form')].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
  });

  it('exports Markdown over HTTP that imports back as the same tree', async () => {
    const res = await api('/plans?root=1&format=md');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    const markdown = await res.text();
    expect(markdown).toMatch(/^# Authentication @backend !high\n/);
    expect(markdown).toContain('  - [x] Choose the library\n');
    writeFileSync(join(store.cwd, 'again.md'), markdown);
    const again = json<PlanImport>(local(['plan', 'import', 'again.md', '--json']));
    expect(again.created).toBe(11);
    const first = json<PlanDocument>(remote(['plan', 'export', '1', '--format', 'json']));
    const second = json<PlanDocument>(local(['plan', 'export', String(again.tasks[0]?.id), '--json']));
    expect(shape(second.tasks)).toEqual(shape(first.tasks));
  });

  it('refuses a bad plan with each problem and its line, and writes nothing', async () => {
    const before = total();
    const bad = await api('/plans', {
      method: 'POST',
      body: JSON.stringify({ markdown: '- A\n  depends on #9\n- B\n  after Nothing\n' }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: { problems: { line: number }[] } } };
    expect(body.error.code).toBe('invalid_plan');
    expect(body.error.details.problems.map((p) => p.line)).toEqual([2, 4]);
    const empty = remote(['plan', 'import', '-', '--json']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the plan is empty');
    const unknown = await api('/plans', { method: 'POST', body: JSON.stringify({ markdown: '- A\n  depends on task 99999\n' }) });
    expect(unknown.status).toBe(404);
    const both = await api('/plans', {
      method: 'POST',
      body: JSON.stringify({ markdown: '- A', plan: { tasks: [{ title: 'A' }] } }),
    });
    expect(both.status).toBe(400);
    const loop = await api('/plans', {
      method: 'POST',
      body: JSON.stringify({
        plan: {
          tasks: [
            { ref: 'a', title: 'A', dependsOn: ['b'] },
            { ref: 'b', title: 'B', dependsOn: ['a'] },
          ],
        },
      }),
    });
    expect(((await loop.json()) as { error: { message: string } }).error.message).toMatch(/cycle/);
    expect(total()).toBe(before);
  });

  it('holds every task of a held plan, and puts it in its queue with its tags', () => {
    const held = json<PlanImport>(local(['plan', 'import', 'plan.md', '--hold', '--tags', 'q1', '--json']));
    const leaf = held.tasks[0]?.subtasks[0]?.subtasks[0];
    expect(leaf?.status).toBe('paused');
    const task = json<TaskDetail>(local(['show', String(leaf?.id), '--json'])).task;
    expect(task).toMatchObject({ status: 'paused', pausedFrom: 'queued', tags: ['q1'] });
  });
});
