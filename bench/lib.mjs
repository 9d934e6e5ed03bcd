// Small helpers shared by the benchmark sections.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DIST = new URL('../dist/', import.meta.url);

/**
 * The environment of a `baton` process a benchmark starts: none of the caller's BATON_* settings
 * (BATON_DB, BATON_SERVER, …), which would point it at another store or server than the one set up.
 */
export function childEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BATON_')));
  return { ...env, NO_COLOR: '1', ...extra };
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
