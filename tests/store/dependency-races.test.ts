import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { findCycle } from '../../src/core/graph.js';
import { dropSchema, newSchemaName, schemaUrl } from '../postgres/pg-test-db.js';

/**
 * Dependencies added at the same moment by separate processes, that only all together would close
 * a cycle: the store must refuse one, and never hold a cycle (which would block every task on it
 * forever). Runs the built code: `npm run build` first.
 */

const ADDERS = 8;
const ROUNDS = 6;
const SCRIPT = join(import.meta.dirname, 'add-dependencies.mjs');

interface Adder {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
}

function startAdder(db: string): Adder {
  const child = spawn(process.execPath, [SCRIPT, db], { stdio: 'pipe' });
  const lines: Record<string, unknown>[] = [];
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return {
    child,
    next: () => {
      const line = lines.shift();
      return line ? Promise.resolve(line) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

function raceOn(kind: string, open: () => Promise<{ db: string; cleanup: () => Promise<void> }>): void {
  describe(`${kind}: ${ADDERS} processes adding dependencies at once`, () => {
    let db: string;
    let cleanup: () => Promise<void>;
    let baton: LocalBaton;
    let adders: Adder[] = [];

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      baton = await openBaton({ db, create: true, actor: 'test' });
      adders = Array.from({ length: ADDERS }, () => startAdder(db));
      for (const a of adders) expect(await a.next()).toEqual({ ready: true });
    }, 60_000);
    afterAll(async () => {
      for (const a of adders) a.child.kill('SIGKILL');
      await baton?.close();
      await cleanup?.();
    });

    it('never close a cycle: in each round one of them is refused with dependency_cycle', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        // A ring of 2 × ADDERS tasks, cut in ADDERS chains of two (task 2k depends on 2k+1): adder k
        // joins chain k to the next (2k+1 on 2k+2), so no two adders touch the same task, and only
        // all of them together close the ring.
        const ring: number[] = [];
        for (let i = 0; i < 2 * ADDERS; i++) ring.push((await baton.createTask({ title: `round ${round} task ${i}` })).id);
        for (let k = 0; k < ADDERS; k++) await baton.addDependencies(ring[2 * k] as number, [ring[2 * k + 1] as number]);
        for (const [k, a] of adders.entries()) a.child.stdin.write(`${ring[2 * k + 1]} ${ring[(2 * k + 2) % ring.length]}\n`);
        const outcomes = await Promise.all(adders.map((a) => a.next()));

        const refused = outcomes.filter((o) => !o.ok);
        expect(refused.map((o) => o.code)).toEqual(['dependency_cycle']);
        const edges = (await baton.listTasks({ limit: 1000 })).tasks.flatMap((t) => t.dependsOn.map((d) => [t.id, d] as const));
        expect(findCycle(edges, [])).toBeNull();
      }
    }, 120_000);
  });
}

raceOn('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-deps-'));
  return { db: join(dir, 'baton.db'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

raceOn('PostgreSQL', async () => {
  const schema = newSchemaName();
  return { db: schemaUrl(schema), cleanup: () => dropSchema(schema) };
});
