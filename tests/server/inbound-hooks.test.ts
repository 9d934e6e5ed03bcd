import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/app/webhook-sender.js';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { type ServeProcess, startServe } from '../helpers/serve-process.js';
import { postgresBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';

const GH_SECRET = 'inbound-secret-for-github-hooks';
const DEPLOY_SECRET = 'inbound-secret-for-deploy-hooks';

const FLOW = `name: deploy
params:
  ref: { type: string, required: true }
steps:
  - id: ship
    task: { title: "Ship \${{ params.ref }}" }
`;

const issueEvent = (action: string, title: string) =>
  JSON.stringify({
    action,
    issue: { number: 7, title, labels: [{ name: 'urgent' }] },
    repository: { name: 'widgets', full_name: 'acme/widgets' },
  });

/** A delivery as GitHub sends it: its signature over the exact bytes, its delivery id. */
async function post(url: string, hook: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${url}/api/v1/hooks/${hook}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: an answer or a refusal, read field by field below
  const answer = (await res.json()) as Record<string, any>;
  return { status: res.status, body: answer.error ?? answer };
}

const githubHeaders = (body: string, delivery: string, secret = GH_SECRET) => ({
  'x-github-event': 'issues',
  'x-github-delivery': delivery,
  'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
});

describe.each([sqliteBackend, postgresBackend])('inbound hooks through baton serve on $name', (backend) => {
  let store: TestStore;
  let server: ServeProcess;
  let remote: RemoteBaton;
  const taskCount = async () => (await remote.listTasks({})).tasks.length;

  beforeAll(async () => {
    store = await backend.fresh();
    store.configure({
      hooks: {
        gh: {
          secret: GH_SECRET,
          signature: 'github',
          when: "payload.action == 'opened'",
          task: {
            title: "'Issue: ' + payload.issue.title",
            priority: "payload.issue.labels.exists(l, l.name == 'urgent') ? 'high' : 'normal'",
            tags: "['github', string(payload.repository.name)]",
          },
        },
        deploy: { secret: DEPLOY_SECRET, signature: 'baton', run: { workflow: 'deploy', params: { ref: 'payload.ref' } } },
      },
    });
    server = await startServe(store);
    remote = new RemoteBaton({ url: server.url });
    await remote.addWorkflow(FLOW);
  }, 120_000);

  afterAll(async () => {
    await remote?.close();
    await server?.stop();
    await store?.remove();
  });

  it('makes a task from a GitHub-signed payload by its mapping, and refuses its replay', async () => {
    const body = issueEvent('opened', 'Widgets wobble');
    const delivery = randomUUID();
    const made = await post(server.url, 'gh', body, githubHeaders(body, delivery));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ hook: 'gh', deliveryId: delivery, outcome: 'task' });
    const task = await remote.getTask(made.body.taskId);
    expect(task).toMatchObject({ title: 'Issue: Widgets wobble', priority: 'high', tags: ['github', 'widgets'] });

    const replay = await post(server.url, 'gh', body, githubHeaders(body, delivery));
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('delivery_replayed');
    expect(await taskCount()).toBe(1);
  });

  it('refuses a bad or missing signature, an unknown hook, and a body changed after signing, with no change', async () => {
    const before = await taskCount();
    const body = issueEvent('opened', 'Forged');
    const wrongSecret = await post(server.url, 'gh', body, githubHeaders(body, randomUUID(), 'not-the-hook-secret-at-all'));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.code).toBe('invalid_signature');
    const tampered = await post(server.url, 'gh', body.replace('Forged', 'Tampered'), githubHeaders(body, randomUUID()));
    expect(tampered.body.code).toBe('invalid_signature');
    const unsigned = await post(server.url, 'gh', body, { 'x-github-delivery': randomUUID() });
    expect(unsigned.status).toBe(401);
    const unknown = await post(server.url, 'nope', body, githubHeaders(body, randomUUID()));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('hook_not_found');
    const noId = await post(server.url, 'gh', body, { 'x-hub-signature-256': githubHeaders(body, 'x')['x-hub-signature-256'] });
    expect(noId.status).toBe(400);
    const notJson = await post(server.url, 'gh', '{"action": ', githubHeaders('{"action": ', randomUUID()));
    expect(notJson.status).toBe(400);
    expect(await taskCount()).toBe(before);
  });

  it('accepts and ignores a payload its `when` turns down, once', async () => {
    const before = await taskCount();
    const body = issueEvent('closed', 'Done already');
    const delivery = randomUUID();
    const ignored = await post(server.url, 'gh', body, githubHeaders(body, delivery));
    expect(ignored.status).toBe(201);
    expect(ignored.body.outcome).toBe('ignored');
    expect((await post(server.url, 'gh', body, githubHeaders(body, delivery))).status).toBe(409);
    expect(await taskCount()).toBe(before);
  });

  it('starts a workflow run from a Baton-signed payload, through RemoteBaton', async () => {
    const body = JSON.stringify({ ref: 'v1.2.3' });
    const t = Math.floor(Date.now() / 1000);
    const headers = { 'baton-delivery': 'd-1', 'baton-signature': signatureHeader(DEPLOY_SECRET, t, body) };
    const receipt = await remote.receiveHook('deploy', { body, headers });
    expect(receipt.outcome).toBe('run');
    const run = await remote.getRun(receipt.runId as number);
    expect(run.params).toEqual({ ref: 'v1.2.3' });
    await expect(remote.receiveHook('deploy', { body, headers })).rejects.toMatchObject({ code: 'delivery_replayed' });
    const stale = { 'baton-delivery': 'd-2', 'baton-signature': signatureHeader(DEPLOY_SECRET, t - 3600, body) };
    await expect(remote.receiveHook('deploy', { body, headers: stale })).rejects.toMatchObject({ code: 'invalid_signature' });
    expect((await remote.listRuns()).length).toBe(1);
  });

  it('lists the new routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/hooks/{name}', '/api/v1/github/import', '/api/v1/github/sync', '/api/v1/github/links']),
    );
  });
});
