import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../helpers/stores.js';
import { type Served, serveWithKeys } from './client.js';

interface TaskNode {
  id: number;
  title: string;
  status: string;
  dependencies: { id: number; title: string }[];
  subtasks: { id: number }[];
  parent: { id: number } | null;
  events: { type: string }[];
  worker: { id: string } | null;
}

describe.each([sqliteBackend, postgresBackend])('GraphQL against baton serve on $name', (backend) => {
  let s: Served;
  beforeAll(async () => {
    s = await serveWithKeys(backend);
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
  });

  it('lists tasks with filters and cursor pages, each with its dependencies, subtasks, parent, events and worker', async () => {
    const base = await s.admin.createTask({ title: 'gq base', tags: ['gq'] });
    const dependent = await s.admin.createTask({ title: 'gq dependent', tags: ['gq'], dependsOn: [base.id] });
    const child = await s.admin.createTask({ title: 'gq child', tags: ['gq'], parentId: base.id, noBreakdown: true });
    await s.admin.registerWorker({ id: 'w1' });
    await s.admin.assignTask(child.id, 'w1');
    const query = `query ($cursor: String) {
      tasks(tag: "gq", limit: 2, cursor: $cursor) {
        total next
        tasks { id title status dependencies { id title } subtasks { id } parent { id } events(limit: 5) { type } worker { id } }
      }
    }`;
    const first = await s.gql<{ tasks: { total: number; next: string | null; tasks: TaskNode[] } }>(query);
    expect(first.errors).toBeUndefined();
    expect(first.data?.tasks.total).toBe(3);
    expect(first.data?.tasks.tasks.map((t) => t.id)).toEqual([base.id, dependent.id]);
    const second = await s.gql<{ tasks: { next: string | null; tasks: TaskNode[] } }>(query, {
      cursor: first.data?.tasks.next,
    });
    expect(second.data?.tasks.next).toBeNull();
    const [baseNode, dependentNode] = (first.data?.tasks.tasks ?? []) as [TaskNode, TaskNode];
    const childNode = second.data?.tasks.tasks[0] as TaskNode;
    expect(baseNode.subtasks).toEqual([{ id: child.id }]);
    expect(dependentNode.dependencies).toEqual([{ id: base.id, title: 'gq base' }]);
    expect(childNode).toMatchObject({ id: child.id, status: 'assigned', parent: { id: base.id }, worker: { id: 'w1' } });
    expect(childNode.events.map((e) => e.type)).toEqual(['created', 'assigned']);
    const one = await s.gql<{ task: { id: number; title: string } }>(`{ task(id: ${dependent.id}) { id title } }`);
    expect(one.data?.task).toEqual({ id: dependent.id, title: 'gq dependent' });
  });

  it('answers workers, status, workflows and runs as their REST routes do', async () => {
    const res = await s.gql<{ workers: { workers: { id: string }[] }; status: unknown; workflows: unknown; runs: unknown }>(
      '{ workers { workers { id } } status workflows { workflows { name } } runs { runs { id } } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.workers.workers.map((w) => w.id)).toContain('w1');
    expect(res.data?.status).toMatchObject({ tasks: { total: 3 } });
  });

  it('makes every write through mutations, with the same roles, coded errors and fencing as REST', async () => {
    const created = await s.gql<{ createTask: { id: number; title: string; priority: string; version: number } }>(
      'mutation ($input: CreateTaskInput!) { createTask(input: $input) { id title priority version } }',
      { input: { title: 'gq made', priority: 'high' } },
    );
    expect(created.errors).toBeUndefined();
    const task = created.data?.createTask as { id: number; version: number };
    expect(await s.admin.getTask(task.id)).toMatchObject({ title: 'gq made', priority: 'high' });

    const stale = await s.gql(
      `mutation { updateTask(id: ${task.id}, ifVersion: ${task.version + 5}, input: { title: "x" }) { id } }`,
    );
    expect(stale.errors?.[0]?.extensions.code).toBe('version_mismatch');
    const empty = await s.gql('mutation { createTask(input: { title: "" }) { id } }');
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'invalid_argument', details: { field: 'title' } });

    const before = await s.admin.listTasks({ limit: 1000 });
    const viewer = await s.gql('mutation { createTask(input: { title: "not mine" }) { id } }', undefined, s.keys.viewer);
    expect(viewer.errors?.[0]?.extensions.code).toBe('forbidden');
    const otherWorker = await s.gql('mutation { claim(input: { workerId: "w2" }) { task { id } } }', undefined, s.keys.worker);
    expect(otherWorker.errors?.[0]?.extensions.code).toBe('forbidden');
    const stranger = await fetch(`${s.server.url}/api/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createTask(input: { title: "anon" }) { id } }' }),
    });
    expect(stranger.status).toBe(401);
    expect((await s.admin.listTasks({ limit: 1000 })).total).toBe(before.total);

    // A worker claims, reports progress and completes under its lease; a stale token is refused.
    const claim = await s.gql<{ claim: { task: { id: number; leaseToken: number } } }>(
      'mutation { claim(input: { workerId: "w1", leaseSeconds: 60 }) { task { id leaseToken } } }',
      undefined,
      s.keys.worker,
    );
    const held = claim.data?.claim.task as { id: number; leaseToken: number };
    expect(held).toBeTruthy();
    const fenced = await s.gql(
      `mutation { reportProgress(id: ${held.id}, input: { workerId: "w1", token: ${held.leaseToken + 1}, progress: 10 }) { id } }`,
      undefined,
      s.keys.worker,
    );
    expect(fenced.errors?.[0]?.extensions.code).toBe('stale_token');
    const done = await s.gql<{ complete: { status: string } }>(
      `mutation { complete(id: ${held.id}, input: { workerId: "w1", token: ${held.leaseToken}, result: { ok: true } }) { status } }`,
      undefined,
      s.keys.worker,
    );
    expect(done.errors).toBeUndefined();
    expect(done.data?.complete.status).toBe('completed');
  });

  it('refuses malformed queries, unknown fields and queries over the depth and cost limits, running nothing', async () => {
    const total = (await s.admin.listTasks({ limit: 1 })).total;
    const malformed = await s.gql('mutation { createTask(input: { title: "half" }');
    expect([malformed.status, malformed.errors?.[0]?.extensions.code]).toEqual([400, 'invalid_query']);
    const unknown = await s.gql('{ tasks { nope } }');
    expect([unknown.status, unknown.errors?.[0]?.extensions.code]).toEqual([400, 'invalid_query']);
    const costly = await s.gql('{ tasks(limit: 1000) { tasks { dependencies { subtasks { id } } } } }');
    expect([costly.status, costly.errors?.[0]?.extensions.code]).toEqual([400, 'query_too_complex']);
    expect(costly.errors?.[0]?.message).toMatch(/estimated cost is \d+; at most 20000/);
    const deep = await s.gql(
      '{ tasks(limit: 1) { tasks { parent { parent { parent { parent { parent { parent { parent { id } } } } } } } } } }',
    );
    expect([deep.status, deep.errors?.[0]?.extensions.code]).toEqual([400, 'query_too_complex']);
    const both = await s.gql(
      'mutation { a: createTask(input: { title: "one" }) { id } b: createTask(input: { title: "two" }) { id { x } } }',
    );
    expect(both.errors?.[0]?.extensions.code).toBe('invalid_query');
    expect((await s.admin.listTasks({ limit: 1 })).total).toBe(total);
  });

  it('serves its schema at /api/v1/graphql/schema.graphql, to any key', async () => {
    const res = await fetch(`${s.server.url}/api/v1/graphql/schema.graphql`, {
      headers: { authorization: `Bearer ${s.keys.viewer}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('type Task {');
    expect(text).toMatch(/createTask\(input: CreateTaskInput!\): Task!/);
    expect(text).toContain('type Subscription {');
  });
});
