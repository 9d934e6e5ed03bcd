// Small helpers shared by the benchmark sections.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = new URL('../dist/', import.meta.url);

/**
 * The environment of a `baton` process a benchmark starts: none of the caller's BATON_* settings
 * (BATON_DB, BATON_SERVER, …), which would point it at another store or server than the one set up.
 */
export function childEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BATON_')));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** The PostgreSQL server benchmarks use; each run works in a schema of its own. */
export const PG_URL = process.env.BATON_BENCH_PG ?? process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema name on PG_URL: its store URL, and `drop()` to remove it afterwards. */
export function freshPgSchema(prefix) {
  const schema = `bench_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const drop = async () => {
    const { default: postgres } = await import('postgres');
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end({ timeout: 5 });
  };
  return { schema, url: url.href, drop };
}

/** Resident memory of process `pid` (VmRSS), in MB. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** The lines of a text stream, as they arrive. */
export async function* readLines(stream) {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
}

export async function openFresh() {
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const db = join(dir, 'baton.db');
  const baton = await openBaton({ db, create: true, actor: 'bench' });
  return { baton, db, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An export holding `n` queued tasks, for fast loading through the public import. */
export async function queuedDump(n, { capabilities = [] } = {}) {
  const [{ newTaskRecord }, { DEFAULT_POLICY }] = await Promise.all([
    import(new URL('core/task-records.js', DIST)),
    import(new URL('core/policy.js', DIST)),
  ]);
  const now = Date.now();
  const at = new Date(now).toISOString();
  const ctx = { now, policy: DEFAULT_POLICY, actor: 'bench', complexity: 'simple', depsOpen: false };
  const tasks = [];
  for (let id = 1; id <= n; id++) {
    tasks.push({ ...newTaskRecord({ title: `Task ${id}`, capabilities }, ctx), id, updatedAt: at, version: 1 });
  }
  return { format: 'baton-export', formatVersion: 1, schemaVersion: 1, exportedAt: at, tasks, events: [], workers: [] };
}

/**
 * Median wall time of `baton ARGS` as a whole process (`runs` of them after two warm-ups that fill
 * the OS page cache), over the store `db` when given.
 */
export function wallTime(args, db, runs = 15) {
  const cli = fileURLToPath(new URL('cli/main.js', DIST));
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args], { env: childEnv(db ? { BATON_DB: db } : {}), encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`baton ${args.join(' ')}: ${r.stderr}`);
    if (i >= 2) times.push(ms);
  }
  return median(times);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export function printTable(title, rows) {
  console.log(`\n${title}`);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  '));
}

/** A `baton serve` process over `db` (no rate limit, warnings only, on stderr), once it listens. */
export async function startServe(db) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('cli/main.js', DIST)), 'serve', '--db', db, '--port', '0', '--rate-limit', '0'],
    {
      env: childEnv({ BATON_LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const listen = (d) => {
      out += d;
      const m = out.match(/Baton is serving (http:\/\/\S+)/);
      if (!m) return;
      resolve(m[1]);
      // Then its warnings and errors (the log, on stdout) are shown, not kept.
      child.stdout.off('data', listen);
      child.stdout.pipe(process.stderr);
    };
    child.stdout.on('data', listen);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  // A benchmark that fails leaves no server behind.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  const stop = async () => {
    process.off('exit', orphaned);
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  };
  return { child, url, stop };
}

/** A JSON POST over a keep-alive pool of `maxSockets`: resolves with the answer, rejects on a status of 300 or more. */
export function jsonPoster(maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return function post(url, path, body) {
    return new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request(
        `${url}${path}`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () =>
            res.statusCode < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  };
}
