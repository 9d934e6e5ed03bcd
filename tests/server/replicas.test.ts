import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import type { TaskEvent } from '../../src/core/types.js';
import { sealedFolder } from '../helpers/sealed.js';
import { dropSchema, newSchemaName, schemaUrl } from '../postgres/pg-test-db.js';
import { exited, startBaton } from './spawn.js';
import { connectSse } from './sse-client.js';

const SERVING = /Baton is serving (http:\/\/\S+)/;
const TASKS = 2_000;

let dir: string;
let schema: string;
const servers: ChildProcess[] = [];
let urls: string[] = [];

beforeAll(async () => {
  // The servers' config and logs live in the nearest .baton/: this folder's own.
  dir = sealedFolder('baton-replicas');
  schema = newSchemaName('baton_srv');
  const db = schemaUrl(schema);
  // The first opens (and migrates) the schema; the second finds it ready.
  for (let i = 0; i < 2; i++) {
    const started = await startBaton(dir, ['serve', '--port', '0', '--db', db], SERVING, { BATON_LOG_LEVEL: 'warn' });
    servers.push(started.child);
    urls.push(started.match[1] as string);
  }
});

afterAll(async () => {
  for (const s of servers) s.kill('SIGTERM');
  await Promise.all(servers.map(exited));
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
  urls = [];
});

/** A worker over HTTP: claims a few at a time (long-poll), completes each, until the queue stays empty. */
async function drain(remote: RemoteBaton, workerId: string): Promise<number> {
  let done = 0;
  for (;;) {
    const tasks = await remote.claimMany({ workerId, limit: 10, waitSeconds: 1 });
    if (tasks.length === 0) return done;
    for (const t of tasks) {
      await remote.complete(t.id, { workerId, token: t.lease?.token });
      done++;
    }
  }
}

describe('two replicas over one PostgreSQL', () => {
  it('act as one service: an SSE client on A sees writes through B; workers on both drain every task once', async () => {
    const [a, b] = urls.map((url) => new RemoteBaton({ url })) as [RemoteBaton, RemoteBaton];
    const stream = await connectSse(`${urls[0]}/api/v1/events`);
    const viaB = await b.createTask({ title: 'written through B' });
    await stream.until((events) => events.some((e) => e.taskId === viaB.id && e.type === 'created'));

    for (let i = 1; i < TASKS; i += 100) {
      const client = i % 200 === 1 ? a : b;
      await Promise.all(Array.from({ length: Math.min(100, TASKS - i) }, (_, j) => client.createTask({ title: `job ${i + j}` })));
    }
    expect((await a.status()).tasks.total).toBe(TASKS);

    const workers = Array.from({ length: 6 }, (_, i) => drain(i % 2 === 0 ? a : b, `w${i}`));
    const counts = await Promise.all(workers);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(TASKS);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(4);

    const events = await a.events({ limit: 1_000_000 });
    const per = (type: string) => {
      const map = new Map<number, number>();
      for (const e of events) if (e.type === type) map.set(e.taskId as number, (map.get(e.taskId as number) ?? 0) + 1);
      return map;
    };
    expect(per('completed').size).toBe(TASKS);
    expect([...per('completed').values()].every((n) => n === 1)).toBe(true);
    expect([...per('claimed').values()].every((n) => n === 1)).toBe(true);

    // Completions made by workers of B reached the stream on A, in id order, none twice.
    const last = events.at(-1) as TaskEvent;
    await stream.until((got) => got.some((e) => e.id === last.id), 30_000);
    stream.close();
    const ids = stream.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    const first = stream.events[0]?.id as number;
    expect(ids).toEqual(events.filter((e) => e.id >= first).map((e) => e.id));
    expect(stream.events.some((e) => e.type === 'completed' && e.workerId === 'w1')).toBe(true);
  }, 180_000);
});
