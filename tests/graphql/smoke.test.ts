import { expect, it } from 'vitest';
import { testServer } from '../server/helpers.js';

it('smoke', async () => {
  const t = await testServer();
  try {
    const a = await t.baton.createTask({ title: 'a' });
    await t.baton.createTask({ title: 'b', dependsOn: [a.id] });
    const q = (query: string, variables?: unknown) =>
      t.inject({ method: 'POST', url: '/api/v1/graphql', payload: { query, variables } });
    let res = await q(
      '{ tasks(limit: 10) { total next tasks { id title dependencies { id title } worker { id } events(limit: 2) { type } } } }',
    );
    console.log(res.statusCode, res.body);
    res = await q('mutation { createTask(input: {title: "c", priority: "high"}) { id priority } }');
    console.log(res.statusCode, res.body);
    res = await q('mutation { createTask(input: {title: ""}) { id } }');
    console.log(res.statusCode, res.body);
    res = await q('{ tasks( { id }');
    console.log(res.statusCode, res.body);
    res = await q('{ nope }');
    console.log(res.statusCode, res.body);
    res = await q('{ tasks(limit: 1000) { tasks { id dependencies { id dependencies { id dependencies { id } } } } } }');
    console.log(res.statusCode, res.body);
    res = await q('{ status workers { workers { id } } }');
    console.log(res.statusCode, res.body.slice(0, 300));
    res = await t.inject({ method: 'GET', url: '/api/v1/graphql/schema.graphql' });
    console.log(res.statusCode, res.body.slice(0, 200));
    expect(1).toBe(1);
  } finally {
    await t.close();
  }
});
