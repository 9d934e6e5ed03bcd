import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { postgresBackend, sqliteBackend, type TestStore } from '../helpers/stores.js';
import { BIN, type CliResult, cliAsync } from './run-cli.js';

/**
 * Backups restore across stores through the real binary (SQLite → PostgreSQL → SQLite) with every
 * kind of row — tasks and their links, history, workers, resources, teams, hashed API keys, workflows,
 * their triggers and runs — and a restore never lands on a store that holds data unless forced.
 */

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const FLOW = `name: release
params:
  tag: { type: string, required: true }
steps:
  - id: build
    task: { title: "Build \${{ params.tag }}" }
  - id: ship
    needs: [build]
    task: { title: "Ship \${{ params.tag }}" }
triggers:
  - cron: "0 3 * * *"
    params: { tag: nightly }
`;

async function fresh(kind: 'sqlite' | 'postgres'): Promise<TestStore> {
  const store = await (kind === 'sqlite' ? sqliteBackend : postgresBackend).fresh();
  cleanup.push(() => store.remove());
  return store;
}

async function open(store: TestStore): Promise<LocalBaton> {
  const baton = await openBaton({ db: store.db, cwd: store.cwd, actor: 'tester' });
  cleanup.push(() => baton.close());
  return baton;
}

async function run(store: TestStore, args: string[]): Promise<CliResult> {
  return cliAsync(store.cwd, [...args, '--db', store.db, '--json']);
}

function answer<T>(r: CliResult): T {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** A store with a bit of everything a backup must carry. Returns an admin key's secret. */
async function populate(baton: LocalBaton): Promise<string> {
  await baton.registerWorker({ id: 'alice', capabilities: ['ui'], host: 'laptop', pid: 1 });
  await baton.setResource({ name: 'gpu', capacity: 2 });
  await baton.addTeam({ name: 'ui-team', members: ['alice'], leader: 'alice' });
  const parent = await baton.createTask({ title: 'Parent', resources: ['gpu'], input: { k: [1, 'two'] } });
  const child = await baton.createTask({ title: 'Child', parentId: parent.id, priority: 'high' });
  const waits = await baton.createTask({ title: 'Waits' });
  await baton.addDependencies(waits.id, [{ id: child.id, if: 'result.ok == true' }]);
  const claimed = (await baton.claim({ workerId: 'alice', capabilities: ['ui'] })) as NonNullable<
    Awaited<ReturnType<LocalBaton['claim']>>
  >;
  await baton.complete(claimed.id, { workerId: 'alice', token: claimed.lease?.token as number, result: { ok: true } });
  const key = await baton.createKey({ role: 'admin', name: 'ops' });
  await baton.createKey({ role: 'worker', workerId: 'alice' });
  await baton.addWorkflow(FLOW);
  await baton.startRun('release', { params: { tag: 'v1' } });
  return key.key;
}

/** Everything a store holds that a backup carries, as the doors show it. */
async function contents(baton: LocalBaton) {
  const { exportedAt: _at, ...dump } = await baton.exportData();
  const runs = await baton.listRuns({});
  const workflows = await baton.listWorkflows();
  return {
    dump,
    keys: await baton.listKeys(),
    workflows,
    sources: await Promise.all(workflows.map(async (w) => (await baton.getWorkflow(w.name)).source)),
    runs: await Promise.all(runs.map((r) => baton.getRun(r.id))),
    triggers: await baton.store.listTriggers(),
  };
}

describe('baton backup and restore across stores', () => {
  it('SQLite → PostgreSQL → SQLite keeps ids, history, keys, workflows, triggers and runs; ids go on after', async () => {
    expect(existsSync(BIN), 'build first: npm run build').toBe(true);
    const source = await fresh('sqlite');
    const secret = await populate(await open(source));
    const original = await contents(await open(source));

    const first = answer<{ file: string; format: string }>(await run(source, ['backup', join(source.cwd, 'one.db')]));
    expect(first.format).toBe('sqlite');
    const pg = await fresh('postgres');
    answer(await run(pg, ['restore', first.file]));
    const second = answer<{ file: string; format: string }>(await run(pg, ['backup', join(source.cwd, 'two.ndjson.gz')]));
    expect(second.format).toBe('portable');
    const back = await fresh('sqlite');
    const restored = answer<{ from: string; counts: { keys: number; runs: number; triggers: number } }>(
      await run(back, ['restore', second.file]),
    );
    expect(restored).toMatchObject({ from: 'postgres', counts: { keys: 2, runs: 1, triggers: 1 } });

    for (const store of [pg, back]) {
      const baton = await open(store);
      expect(await contents(baton)).toEqual(original);
      // Keys are restored hashed: the secret given out before still opens the door.
      expect((await baton.verifyKey(secret))?.name).toBe('ops');
      // New rows take the next ids, after the restored ones (PostgreSQL's sequences were moved on).
      const maxTask = Math.max(...original.dump.tasks.map((t) => t.id));
      expect((await baton.createTask({ title: 'after' })).id).toBe(maxTask + 1);
      const maxEvent = Math.max(...original.dump.events.map((e) => e.id));
      expect((await baton.events({ afterId: maxEvent })).length).toBeGreaterThan(0);
      const maxRun = Math.max(...original.runs.map((r) => r.id));
      expect((await baton.startRun('release', { params: { tag: 'v2' } })).id).toBe(maxRun + 1);
    }
  }, 120_000);

  it('refuses a store that holds data and leaves it as it was; --force backs it up first, then replaces it', async () => {
    const source = await fresh('sqlite');
    await populate(await open(source));
    const backup = answer<{ file: string }>(await run(source, ['backup']));
    expect(backup.file.startsWith(join(source.cwd, 'backups'))).toBe(true);

    const target = await fresh('postgres');
    const baton = await open(target);
    await baton.createTask({ title: 'precious' });
    const before = await contents(baton);
    const refused = await run(target, ['restore', backup.file]);
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stderr).error.code).toBe('store_not_empty');
    expect(await contents(baton)).toEqual(before);

    const forced = answer<{ previous: { file: string; counts: { tasks: number } } }>(
      await run(target, ['restore', backup.file, '--force']),
    );
    expect(forced.previous.counts.tasks).toBe(1);
    expect(existsSync(forced.previous.file)).toBe(true);
    expect(await contents(baton)).toEqual(await contents(await open(source)));
    // The backup taken first holds what was replaced: restoring it brings the task back.
    const undo = await fresh('sqlite');
    answer(await run(undo, ['restore', forced.previous.file]));
    expect((await (await open(undo)).listTasks({})).tasks.map((t) => t.title)).toEqual(['precious']);
  }, 120_000);

  it('a damaged, cut or foreign file is refused before anything is written; a backup never overwrites', async () => {
    const source = await fresh('postgres');
    await populate(await open(source));
    const file = join(source.cwd, 'b.ndjson.gz');
    answer(await run(source, ['backup', file]));
    const target = await fresh('sqlite');
    const empty = async () => (await (await open(target)).listTasks({})).total;

    const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n');
    const cut = join(source.cwd, 'cut.ndjson.gz');
    writeFileSync(cut, gzipSync(`${lines.slice(0, -3).join('\n')}\n`));
    const foreign = join(source.cwd, 'notes.txt');
    writeFileSync(foreign, 'hello');
    const tampered = join(source.cwd, 'tampered.ndjson.gz');
    writeFileSync(
      tampered,
      gzipSync(`${lines.filter((l) => !l.includes('"part":"events"') || !l.includes('"id":1,')).join('\n')}\n`),
    );
    for (const [bad, why] of [
      [cut, 'cut short'],
      [foreign, 'not a Baton backup'],
      [tampered, 'missing or extra'],
      [join(source.cwd, 'missing.db'), 'no such file'],
    ] as const) {
      const r = await run(target, ['restore', bad]);
      expect([bad, r.code]).toEqual([bad, 2]);
      const error = JSON.parse(r.stderr).error;
      expect(error.code).toBe('invalid_backup');
      expect(error.message).toContain(why);
      expect(await empty()).toBe(0);
    }

    const again = await run(source, ['backup', file]);
    expect(JSON.parse(again.stderr).error.code).toBe('file_exists');
    const sqliteOfPg = await run(source, ['backup', join(source.cwd, 'x.bak'), '--format', 'sqlite']);
    expect(JSON.parse(sqliteOfPg.stderr).error.code).toBe('invalid_argument');
  }, 120_000);
});
