import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { childEnv } from '../helpers/sealed.js';
import { freshSchema, openPg, pgCwd } from './pg-test-db.js';

const ADVANCE = resolve(import.meta.dirname, 'advance-run.mjs');

const FLOW = `name: race
steps:
  - id: hold
    wait: { duration: 1s }
  - id: fan
    needs: [hold]
    foreach: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    max_parallel: 12
    task: { title: "Item \${{ item }}" }
  - id: join
    needs: [fan]
    task: { title: Join }
`;

let cleanup: (() => Promise<void>) | undefined;
let baton: LocalBaton | undefined;
afterEach(async () => {
  await baton?.close();
  await cleanup?.();
});

function advancer(url: string, run: number, ms: number): Promise<{ ok: boolean; reads?: number; message?: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [ADVANCE, url, String(run), String(ms)], { cwd: pgCwd(), env: childEnv() });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', () => done(JSON.parse(out.trim() || '{"ok":false,"message":"no output"}')));
  });
}

it('processes advancing one run at once on PostgreSQL never start a step, or make a step task, twice', async () => {
  const db = await freshSchema();
  cleanup = db.cleanup;
  baton = await openPg({ db: db.url, create: true });
  await baton.addWorkflow(FLOW);
  const run = await baton.startRun('race');
  // Four processes read (and so advance) the run over and over, through the end of the wait and
  // the completions below; this process completes the items meanwhile.
  const racers = [1, 2, 3, 4].map(() => advancer(db.url, run.id, 6_000));
  const mine = baton;
  const completeItems = async () => {
    const done = new Set<number>();
    const deadline = Date.now() + 20_000;
    while (done.size < 12 && Date.now() < deadline) {
      const current = await mine.getRun(run.id);
      for (const t of current.tasks.filter((x) => x.step === 'fan' && !done.has(x.id))) {
        const claimed = await mine.claimTask(t.id, { workerId: 'w1' });
        await mine.complete(t.id, { workerId: 'w1', token: claimed.lease?.token as number, result: { n: t.index } });
        done.add(t.id);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return done.size;
  };
  const [completed, ...results] = await Promise.all([completeItems(), ...racers]);
  expect(completed).toBe(12);
  for (const r of results) expect(r, r.message).toMatchObject({ ok: true });
  expect(results.every((r) => (r.reads ?? 0) > 10)).toBe(true);

  const final = await baton.getRun(run.id);
  expect(final.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'running']);
  const events = await baton.events({ limit: 10_000 });
  const created = events.filter((e) => e.type === 'created' && e.data?.run === run.id && e.data?.step);
  const perStep = (step: string) => created.filter((e) => e.data?.step === step).map((e) => e.data?.title);
  expect(perStep('fan').sort()).toEqual(Array.from({ length: 12 }, (_, i) => `Item ${i + 1}`).sort());
  expect(perStep('join')).toEqual(['Join']);
  const started = events.filter((e) => e.type === 'step_started').map((e) => e.data?.step);
  expect(started).toEqual(['hold', 'fan', 'join']);
  expect(events.filter((e) => e.type === 'step_completed').map((e) => e.data?.step)).toEqual(['hold', 'fan']);
  // The run's record and the store agree: twelve distinct tasks for fan, one for join.
  expect(new Set(final.steps[1]?.taskIds).size).toBe(12);
  expect((await baton.listTasks({ tag: `run:${run.id}` })).tasks).toHaveLength(14);
}, 60_000);
