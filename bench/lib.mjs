// Small helpers shared by the benchmark sections.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DIST = new URL('../dist/', import.meta.url);

export async function openFresh() {
  const { openBaton } = await import(new URL('app/open.js', DIST));
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const db = join(dir, 'baton.db');
  const baton = await openBaton({ db, create: true, actor: 'bench' });
  return { baton, db, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An export holding `n` queued tasks, for fast loading through the public import. */
export function queuedDump(n, { capabilities = [] } = {}) {
  const now = Date.now();
  const at = new Date(now).toISOString();
  const tasks = [];
  for (let id = 1; id <= n; id++) {
    tasks.push({
      id,
      title: `Task ${id}`,
      description: null,
      type: 'feature',
      status: 'queued',
      priority: 'normal',
      capabilities,
      tags: [],
      parentId: null,
      dependsOn: [],
      estimateMinutes: null,
      complexity: 'simple',
      command: null,
      input: null,
      result: null,
      progress: 0,
      assignee: null,
      reservedFor: null,
      attempts: 0,
      retries: 0,
      maxRetries: 3,
      retryPolicy: null,
      timeoutSeconds: null,
      lastError: null,
      review: null,
      notes: [],
      checkpoints: [],
      artifacts: [],
      lease: null,
      leaseToken: 0,
      pausedFrom: null,
      createdBy: 'bench',
      createdAt: at,
      updatedAt: at,
      startedAt: null,
      completedAt: null,
      runAfter: null,
      readyAt: at,
      claimOrder: now - 2 * 3_600_000,
      version: 1,
    });
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
