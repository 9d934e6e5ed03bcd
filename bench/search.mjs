// Search benchmark: a text search of 100,000 tasks through LocalBaton (what `GET /tasks?q=` runs on
// the server), on SQLite (FTS5) and on PostgreSQL (a GIN index over to_tsvector('simple', …)).
// Each query asks for the first page (50) and the total, as the listing does. Target: p50 ≤ 50 ms.
// Settings: BENCH_RUNS, BENCH_SEARCH_TASKS, BENCH_SEARCH_QUERIES, BATON_BENCH_PG (database URL).
import { randomBytes } from 'node:crypto';
import { DIST, median, openFresh } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_SEARCH_TASKS ?? 100_000);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 200);
const PG_URL = process.env.BATON_BENCH_PG ?? process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

const VERBS = ['fix', 'add', 'remove', 'refactor', 'document', 'test', 'deploy', 'review', 'migrate', 'profile'];
const NOUNS = ['login', 'billing', 'search', 'export', 'cache', 'scheduler', 'dashboard', 'webhook', 'invoice', 'profile'];
const WORDS = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}x`);

/** An export of `n` tasks with varied titles and descriptions (deterministic). */
async function textDump(n) {
  const [{ newTaskRecord }, { DEFAULT_POLICY }] = await Promise.all([
    import(new URL('core/task-records.js', DIST)),
    import(new URL('core/policy.js', DIST)),
  ]);
  const now = Date.now();
  const at = new Date(now).toISOString();
  const ctx = { now, policy: DEFAULT_POLICY, actor: 'bench', complexity: 'simple', depsOpen: false };
  const tasks = [];
  for (let id = 1; id <= n; id++) {
    const title = `${VERBS[id % 10]} the ${NOUNS[(id * 7) % 10]} ${WORDS[(id * 13) % WORDS.length]}`;
    const description = Array.from({ length: 12 }, (_, k) => WORDS[(id * 31 + k * 17) % WORDS.length]).join(' ');
    tasks.push({ ...newTaskRecord({ title, description }, ctx), id, updatedAt: at, version: 1 });
  }
  return { format: 'baton-export', formatVersion: 1, schemaVersion: 1, exportedAt: at, tasks, events: [], workers: [] };
}

/** Median milliseconds of a search (page of 50 and total), over queries of one to two words. */
async function timeSearches(baton) {
  const queries = Array.from({ length: QUERIES }, (_, i) =>
    i % 3 === 0
      ? WORDS[(i * 7) % WORDS.length]
      : i % 3 === 1
        ? `${NOUNS[i % 10]} ${WORDS[(i * 11) % WORDS.length].slice(0, 3)}`
        : `${VERBS[i % 10]} ${NOUNS[(i * 3) % 10]}`,
  );
  for (const q of queries.slice(0, 10)) await baton.listTasks({ q, limit: 50 });
  const ms = [];
  for (const q of queries) {
    const t0 = performance.now();
    await baton.listTasks({ q, limit: 50 });
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function sqliteRun(dump) {
  const fresh = await openFresh();
  try {
    await fresh.baton.importData(dump);
    return await timeSearches(fresh.baton);
  } finally {
    await fresh.baton.close();
    fresh.cleanup();
  }
}

async function postgresRun(dump) {
  const { default: postgres } = await import('postgres');
  const schema = `bench_search_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const baton = await openBaton({ db: url.href, actor: 'bench' });
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  try {
    await baton.importData(dump);
    return await timeSearches(baton);
  } finally {
    await baton.close();
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

export async function run() {
  const dump = await textDump(TASKS);
  const sqlite = [];
  const pg = [];
  for (let r = 0; r < RUNS; r++) {
    sqlite.push(await sqliteRun(dump));
    pg.push(await postgresRun(dump));
  }
  const result = (name, samples) => ({
    name,
    value: median(samples),
    unit: 'ms',
    target: '<= 50',
    ok: median(samples) <= 50,
    samples,
  });
  return {
    section: `search (${TASKS.toLocaleString('en')} tasks, first page of 50 and the total)`,
    runs: RUNS,
    results: [result('search p50, SQLite (FTS5)', sqlite), result('search p50, PostgreSQL (GIN tsvector)', pg)],
  };
}
