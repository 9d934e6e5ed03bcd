// A store of 1,000,000 tasks (embedded SQLite) as long use leaves it: mostly completed, some
// queued, executing, failed, blocked behind dependencies, parents with subtasks, and the events of
// each task's life (created, claimed, completed or failed). Built once per section run by writing a
// portable backup line by line and restoring it (`baton restore`: streamed, a page at a time), then
// measured, medians of BENCH_RUNS (3):
//   - claim latency at that size (LocalBaton claim+complete, p50 and p99 of the claim);
//   - `baton list --limit 50`, `baton status` and `baton status --json` as whole processes;
//   - board first paint in Chromium over `baton serve` (board-paint.mjs's measure);
//   - the file's bytes per task (events included).
// Settings: BENCH_RUNS, BENCH_SCALE_TASKS; BENCH_SCALE_DB=FILE measures a store built before (a
// copy of one this section built: the claims complete some of its tasks) instead of building one.
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paint } from './board-paint.mjs';
import { DIST, median, percentile, startServe, wallTime } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_SCALE_TASKS ?? 1_000_000);
// Claims per run: at most 2,000, fewer in a small store (the newest tenth is 55 % queued).
const CLAIMS = Math.min(2_000, Math.floor((TASKS * 0.04) / RUNS));
const WORKERS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'];
const DAY = 86_400_000;

/**
 * The part each task plays, the way a long-used store holds them: the oldest nine tenths finished
 * (97 % completed, 3 % failed); in the newest tenth, per 100: 30 completed, 55 queued, 1 executing,
 * 3 failed, a parent blocked on its two subtasks (one queued, one completed), and 8 tasks blocked
 * on queued ones.
 */
function roleOf(id) {
  const k = (id - 1) % 100;
  if (id - k + 99 <= TASKS * 0.9) return k < 97 ? 'completed' : 'failed'; // whole blocks only
  if (k < 30) return 'completed';
  if (k < 85) return 'queued';
  if (k === 85) return 'executing';
  if (k < 89) return 'failed';
  if (k === 89) return id + 2 <= TASKS ? 'parent' : 'queued';
  if (k === 90) return 'subtask-queued';
  if (k === 91) return 'subtask-completed';
  return 'blocked';
}

/** Writes the backup file: header, workers, tasks, events, end line. Returns its counts. */
async function writeBackup(path) {
  const [{ newTaskRecord }, { DEFAULT_POLICY }, { LATEST_VERSION }] = await Promise.all([
    import(new URL('core/task-records.js', DIST)),
    import(new URL('core/policy.js', DIST)),
    import(new URL('store/sqlite/migrations.js', DIST)),
  ]);
  const now = Date.now();
  const start = now - 30 * DAY;
  const step = (30 * DAY - 3_600_000) / TASKS;
  const iso = (ms) => new Date(ms).toISOString();
  const fd = openSync(path, 'wx', 0o600);
  let buffer = '';
  const line = (value) => {
    buffer += `${JSON.stringify(value)}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  };
  const counts = { keys: 0, workers: WORKERS.length, resources: 0, teams: 0, workflows: 0, triggers: 0 };
  Object.assign(counts, { tasks: TASKS, dependencies: 0, events: 0, runs: 0 });
  // The counts of dependencies and events are known once the rows are made: count them first.
  const tasks = (function* () {
    for (let id = 1; id <= TASKS; id++) yield taskRows(id);
  })();
  function taskRows(id) {
    const role = roleOf(id);
    const created = start + id * step;
    const worker = WORKERS[id % WORKERS.length];
    const priority = ['critical', 'high', 'normal', 'normal', 'low'][id % 5];
    const title = `${['Fix', 'Add', 'Test', 'Document', 'Deploy'][id % 5]} the ${['login', 'billing', 'export', 'cache'][id % 4]} step ${id}`;
    const dependsOn = role === 'parent' ? [id + 1, id + 2] : role === 'blocked' ? [id - 20] : [];
    const ctx = { now: created, policy: DEFAULT_POLICY, actor: 'bench', complexity: 'simple', depsOpen: dependsOn.length > 0 };
    const parentId = role === 'subtask-queued' ? id - 1 : role === 'subtask-completed' ? id - 2 : undefined;
    const base = newTaskRecord({ title, priority, dependsOn, parentId, capabilities: id % 3 ? [] : ['python'] }, ctx);
    const task = { ...base, id, updatedAt: iso(created), version: 1 };
    const events = [
      { taskId: id, workerId: null, actor: 'bench', type: 'created', at: iso(created) },
      { changes: { status: [null, task.status] }, data: { title, priority, dependsOn } },
    ];
    if (role === 'parent' || role === 'blocked' || role === 'queued' || role === 'subtask-queued') return { task, events };
    const was = task.status;
    const claimedAt = created + 1_000;
    const lease = { owner: worker, token: 1, expiresAt: iso(now + 3_600_000), seconds: 3_600 };
    Object.assign(task, { status: 'executing', assignee: worker, attempts: 1, leaseToken: 1, startedAt: iso(claimedAt) });
    Object.assign(task, { updatedAt: iso(claimedAt), version: 2 });
    events.push(
      { taskId: id, workerId: worker, actor: worker, type: 'claimed', at: iso(claimedAt) },
      { changes: { status: [was, 'executing'], assignee: [null, worker], leaseToken: [0, 1], attempts: [0, 1] }, data: null },
    );
    if (role === 'executing') return { task: { ...task, lease }, events };
    const doneAt = claimedAt + 30_000 + (id % 7) * 10_000;
    const status = role === 'failed' ? 'failed' : 'completed';
    Object.assign(task, { status, completedAt: iso(doneAt), updatedAt: iso(doneAt), version: 3 });
    if (status === 'completed') Object.assign(task, { progress: 100, result: 'ok' });
    else task.lastError = 'exit code 1: tests failed';
    events.push(
      { taskId: id, workerId: worker, actor: worker, type: status, at: iso(doneAt) },
      { changes: { status: ['executing', status] }, data: null },
    );
    return { task, events };
  }
  for (let id = 1; id <= TASKS; id++) {
    const role = roleOf(id);
    counts.dependencies += role === 'parent' ? 2 : role === 'blocked' ? 1 : 0;
    counts.events += ['parent', 'blocked', 'queued', 'subtask-queued'].includes(role) ? 1 : role === 'executing' ? 2 : 3;
  }
  line({ format: 'baton-backup', formatVersion: 1, schemaVersion: LATEST_VERSION, store: 'sqlite', createdAt: iso(now), counts });
  for (const id of WORKERS) {
    const row = { id, name: null, capabilities: ['python'], host: null, pid: null, concurrency: 1, version: null };
    line({
      part: 'workers',
      row: { ...row, registeredAt: iso(start), lastSeenAt: iso(now), state: 'active', usage: null, breaker: null },
    });
  }
  // Tasks first, then their events (the parts' order); the events are made again in a second pass.
  for (const { task } of tasks) line({ part: 'tasks', row: task });
  let eventId = 0;
  for (let id = 1; id <= TASKS; id++) {
    const { events } = taskRows(id);
    for (let i = 0; i < events.length; i += 2) line({ part: 'events', row: { id: ++eventId, ...events[i], ...events[i + 1] } });
  }
  line({ end: { counts } });
  writeSync(fd, buffer);
  closeSync(fd);
  return counts;
}

/** The store, in a folder of its own (the caller removes `dir`). */
export async function build() {
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-scale-'));
  const db = join(dir, 'baton.db');
  const file = join(dir, 'scale.ndjson');
  let t0 = performance.now();
  const counts = await writeBackup(file);
  const writeMs = performance.now() - t0;
  t0 = performance.now();
  const baton = await openBaton({ db, create: true, actor: 'bench' });
  await baton.restore({ file });
  await baton.close();
  const restoreMs = performance.now() - t0;
  rmSync(file);
  return { db, dir, counts, writeMs, restoreMs, bytes: statSync(db).size };
}

/** Claim latency at this size: claim+complete cycles, the time of each claim. */
async function claims(db) {
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const baton = await openBaton({ db, actor: 'bench' });
  const times = [];
  for (let i = 0; i < CLAIMS; i++) {
    const t0 = performance.now();
    const task = await baton.claim({ workerId: 'claimer', capabilities: ['python'] });
    times.push(performance.now() - t0);
    if (!task) throw new Error('the store ran out of queued tasks');
    await baton.complete(task.id, { workerId: 'claimer', token: task.lease.token });
  }
  await baton.close();
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** A store built before: its file, size and rows; the build's own times are unknown. */
async function given(db) {
  const { default: Database } = await import('better-sqlite3');
  const file = new Database(db, { readonly: true });
  const tasks = file.prepare('SELECT count(*) FROM tasks').pluck().get();
  const events = file.prepare('SELECT count(*) FROM events').pluck().get();
  file.close();
  return { db, dir: null, counts: { tasks, events }, writeMs: Number.NaN, restoreMs: Number.NaN, bytes: statSync(db).size };
}

export async function run() {
  const store = process.env.BENCH_SCALE_DB ? await given(process.env.BENCH_SCALE_DB) : await build();
  const m = { p50: [], p99: [], version: [], list: [], status: [], statusJson: [], first: [], whole: [] };
  try {
    for (let r = 0; r < RUNS; r++) {
      const c = await claims(store.db);
      m.p50.push(c.p50);
      m.p99.push(c.p99);
      m.version.push(wallTime(['--version'], null, 7));
      m.list.push(wallTime(['list', '--limit', '50'], store.db, 7));
      m.status.push(wallTime(['status'], store.db, 7));
      m.statusJson.push(wallTime(['status', '--json'], store.db, 7));
      const server = await startServe(store.db);
      try {
        const p = await paint(server.url);
        m.first.push(p.first);
        m.whole.push(p.whole);
      } finally {
        await server.stop();
      }
    }
  } finally {
    if (store.dir) rmSync(store.dir, { recursive: true, force: true });
  }
  const n = store.counts.tasks.toLocaleString('en');
  const row = (name, values, unit, limit) => ({
    name,
    value: median(values),
    unit,
    target: limit === undefined ? '-' : `<= ${limit}`,
    ok: limit === undefined || median(values) <= limit,
    samples: values,
  });
  const perTask = store.bytes / store.counts.tasks;
  return {
    section: `scale (${n} tasks, ${store.counts.events.toLocaleString('en')} events, embedded SQLite)`,
    runs: RUNS,
    results: [
      row('store built (backup written + restored)', [(store.writeMs + store.restoreMs) / 1000], 's'),
      row('claim (next), p50', m.p50, 'ms'),
      row('claim (next), p99', m.p99, 'ms', 5),
      // What any command costs on this machine now: the floor under the wall times below.
      row('`baton --version` (a process, no store)', m.version, 'ms wall'),
      row('`baton list --limit 50`', m.list, 'ms wall', 150),
      row('`baton status`', m.status, 'ms wall', 100),
      row('`baton status --json`', m.statusJson, 'ms wall', 100),
      row('board: first cards visible', m.first, 'ms', 1500),
      row('board: every column with tasks shows cards', m.whole, 'ms', 1500),
      {
        name: 'store size per task (events included)',
        value: perTask,
        unit: 'bytes',
        target: '-',
        ok: true,
        samples: [store.bytes],
      },
    ],
  };
}

// `node bench/scale.mjs` runs this section alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = await run();
  console.log(section.section);
  for (const r of section.results)
    console.log(
      `  ${r.name}: ${r.value.toFixed(1)} ${r.unit} (target ${r.target}) [${r.samples.map((s) => s.toFixed(1)).join(', ')}]`,
    );
}
