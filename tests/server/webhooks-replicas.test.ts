import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Webhook } from '../../src/app/baton.js';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { cli, json } from '../cli/run-cli.js';
import { sealedFolder } from '../helpers/sealed.js';
import { dropSchema, newSchemaName, schemaUrl } from '../postgres/pg-test-db.js';
import { exited, startBaton } from './spawn.js';
import { receiver, SECRET, until } from './webhook-receiver.js';

const SERVING = /Baton is serving (http:\/\/\S+)/;
const TASKS = 40;

describe('two baton serve processes on one PostgreSQL schema', () => {
  let dir: string;
  let schema: string;
  let db: string;
  const servers: ChildProcess[] = [];
  let urls: string[] = [];
  let ok: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    dir = sealedFolder('baton-hook-replicas');
    writeFileSync(
      join(dir, '.baton', 'config.yaml'),
      'webhooks: { poll: 50ms, timeout: 2s, backoff: 50ms, settle: 100ms }\nalerts: { every: 50ms, readyOver: 5 }\n',
    );
    schema = newSchemaName('baton_hooks');
    db = schemaUrl(schema);
    ok = await receiver('ok');
    for (let i = 0; i < 2; i++) {
      const started = await startBaton(dir, ['serve', '--port', '0', '--db', db], SERVING, { BATON_LOG_LEVEL: 'warn' });
      servers.push(started.child);
      urls.push(started.match[1] as string);
    }
  });

  afterAll(async () => {
    for (const s of servers) s.kill('SIGTERM');
    await Promise.all(servers.map(exited));
    await ok?.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
    urls = [];
  });

  it('deliver each event once per hook, and raise an alert once', async () => {
    const hook = json<Webhook>(
      cli(dir, ['webhook', 'add', ok.url, '--events', 'task.completed,alert.*', '--secret', SECRET, '--json', '--db', db]),
    );
    const [a, b] = urls.map((url) => new RemoteBaton({ url })) as [RemoteBaton, RemoteBaton];
    await Promise.all(
      [a, b].map(async (remote, n) => {
        for (let i = 0; i < TASKS / 2; i++) {
          const task = await remote.createTask({ title: `job ${n}.${i}` });
          const claimed = await remote.claimTask(task.id, { workerId: `w${n}` });
          await remote.complete(task.id, { workerId: `w${n}`, token: claimed.lease?.token });
        }
      }),
    );
    for (let i = 0; i < 6; i++) await a.createTask({ title: `waiting ${i}` });

    await until('every completion and the alert', () => {
      const done = ok.got.filter((r) => r.event === 'task.completed').length;
      return done >= TASKS && ok.got.some((r) => r.event === 'alert.ready_over');
    });
    // Several more turns of both servers: nothing is sent again.
    await new Promise((r) => setTimeout(r, 600));
    const completions = ok.got.filter((r) => r.event === 'task.completed');
    expect(completions).toHaveLength(TASKS);
    expect(new Set(completions.map((r) => r.eventId)).size).toBe(TASKS);
    expect(completions.every((r) => r.signed)).toBe(true);
    expect(ok.got.filter((r) => r.event === 'alert.ready_over')).toHaveLength(1);
    const deliveries = await a.webhookDeliveries({ hookId: hook.id, limit: 1000 });
    expect(deliveries.filter((d) => d.status === 'delivered')).toHaveLength(TASKS + 1);
    expect(deliveries.every((d) => d.attempts === 1)).toBe(true);
  });
});
