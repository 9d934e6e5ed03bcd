import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import type { StoreDump } from '../../src/store/store.js';
import { childEnv } from '../helpers/sealed.js';
import { freshSchema, openPg, pgCwd } from './pg-test-db.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLAIM_LOOP = resolve(import.meta.dirname, '../store-contract/claim-loop.mjs');
const TASKS = 5_000;
const PROCESSES = 8;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** TASKS queued tasks, loaded in one import: what matters here is the draining, not the adding. */
async function queue(baton: LocalBaton, scratch: LocalBaton): Promise<number[]> {
  const template = await scratch.createTask({ title: 'template' });
  const { tasks: _tasks, ...empty } = await scratch.exportData();
  const tasks = Array.from({ length: TASKS }, (_, i) => ({ ...template, id: i + 1, title: `job ${i}` }));
  const dump: StoreDump = { ...empty, tasks, events: [], workers: [] };
  await baton.importData(dump);
  return tasks.map((t) => t.id);
}

interface Summary {
  worker: string;
  completed: number[];
  errors: unknown[];
}

function drainer(url: string, worker: string) {
  const child = spawn(process.execPath, [CLAIM_LOOP, '--db', url, '--worker', worker, '--mode', 'drain'], {
    cwd: pgCwd(),
    env: childEnv(),
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const ready = new Promise<void>((done) => {
    const check = () => (out.includes('"ready"') ? done() : setTimeout(check, 10));
    check();
  });
  const exited = new Promise<{ code: number | null; stderr: string; summary: Summary | undefined }>((done) =>
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.includes('"completed"'));
      done({ code, stderr: err, summary: line ? (JSON.parse(line) as Summary) : undefined });
    }),
  );
  return { ready, go: () => child.stdin.write('go\n'), exited };
}

describe('PostgreSQL under many claimers', () => {
  it(`${PROCESSES} OS processes drain ${TASKS} tasks: each completed exactly once, by its claimer (from history)`, async () => {
    expect(existsSync(resolve(ROOT, 'dist/app/open.js')), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const db = await freshSchema();
    const other = await freshSchema();
    cleanup.push(db.cleanup, other.cleanup);
    const baton = await openPg({ db: db.url, actor: 'tester' });
    const scratch = await openPg({ db: other.url, actor: 'tester' });
    cleanup.push(
      () => baton.close(),
      () => scratch.close(),
    );
    const ids = await queue(baton, scratch);

    const procs = Array.from({ length: PROCESSES }, (_, i) => drainer(db.url, `racer-${i}`));
    await Promise.all(procs.map((p) => p.ready));
    for (const p of procs) p.go();
    const exits = await Promise.all(procs.map((p) => p.exited));
    for (const [i, e] of exits.entries()) {
      expect({ i, code: e.code, stderr: e.stderr, errors: e.summary?.errors }).toEqual({ i, code: 0, stderr: '', errors: [] });
    }

    const reported = exits.flatMap((e) => e.summary?.completed ?? []);
    expect([...reported].sort((a, b) => a - b)).toEqual(ids);
    expect(exits.filter((e) => (e.summary?.completed.length ?? 0) > 0).length).toBeGreaterThanOrEqual(2);

    const history = await baton.events({});
    const byTask = new Map<number, { claimed: string[]; completed: string[] }>();
    for (const e of history) {
      if (e.taskId === null || (e.type !== 'claimed' && e.type !== 'completed')) continue;
      const entry = byTask.get(e.taskId) ?? { claimed: [], completed: [] };
      entry[e.type].push(String(e.workerId));
      byTask.set(e.taskId, entry);
    }
    const owner = new Map(exits.flatMap((e) => (e.summary?.completed ?? []).map((id) => [id, e.summary?.worker] as const)));
    const wrong = ids.filter((id) => {
      const h = byTask.get(id);
      const w = owner.get(id);
      return h?.claimed.length !== 1 || h.completed.length !== 1 || h.claimed[0] !== w || h.completed[0] !== w;
    });
    expect(wrong).toEqual([]);
    expect((await baton.status()).tasks.byStatus.completed).toBe(TASKS);
  }, 180_000);
});
