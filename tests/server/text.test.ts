import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, type TestServer, testServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await testServer();
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: string) =>
  t.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });

describe('hostile text over HTTP', () => {
  it('refuses input nested thousands of levels deep with a coded 400, not a 500', async () => {
    const before = await t.snapshot();
    const res = await post('/api/v1/tasks', `{"title":"deep","input":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    expectError(res, 400, 'invalid_argument');
    expect(res.json().error.details.field).toBe('input');
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses NUL and unpaired surrogates sent as JSON escapes, naming the field', async () => {
    const before = await t.snapshot();
    for (const [payload, field] of [
      ['{"title":"a\\u0000b"}', 'title'],
      ['{"title":"t","description":"x\\ud800y"}', 'description'],
      ['{"title":"t","input":{"k":["\\udc00"]}}', 'input.k.0'],
    ] as const) {
      const res = await post('/api/v1/tasks', payload);
      expectError(res, 400, 'invalid_argument');
      expect(res.json().error.details.field).toBe(field);
    }
    expect(await t.snapshot()).toEqual(before);
  });

  it('keeps an emoji (a surrogate pair sent as escapes) exactly', async () => {
    const res = await post('/api/v1/tasks', '{"title":"ship \\ud83d\\ude80"}');
    expect(res.statusCode).toBe(201);
    expect(res.json().title).toBe('ship 🚀');
  });
});
