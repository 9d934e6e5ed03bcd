// Board first paint over 100,000 tasks: a SQLite store served by `baton serve`, the dashboard in
// Chromium on a cold profile each run. Two figures, medians of BENCH_RUNS (3):
//   - first cards: navigation start until the first card of Queued is in the page (target ≤ 1 s);
//   - whole board: until every column the counts say holds tasks shows its first card.
// Also the server side of what the board asks for (counts, and the first page of each column).
// Settings: BENCH_RUNS, BENCH_BOARD_TASKS.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { childEnv, median, openFresh, queuedDump } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = Number(process.env.BENCH_BOARD_TASKS ?? 100_000);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-sync',
];

/** 100,000 tasks in the proportions of a busy store: most queued, a quarter completed, some failed. */
async function boardDump() {
  const dump = await queuedDump(TASKS, { capabilities: ['python'] });
  const at = Date.now();
  dump.tasks.forEach((t, i) => {
    t.title = `${['Fix', 'Add', 'Test', 'Document', 'Deploy'][i % 5]} the ${['login', 'billing', 'export', 'cache'][i % 4]} step ${t.id}`;
    t.priority = ['critical', 'high', 'normal', 'low', 'maintenance'][i % 5];
    const done = new Date(at - (TASKS - i) * 1000).toISOString();
    if (i % 20 < 5) {
      Object.assign(t, { status: 'completed', progress: 100, assignee: 'w1', attempts: 1, leaseToken: 1 });
      Object.assign(t, { startedAt: done, completedAt: done, updatedAt: done });
    } else if (i % 20 === 5) {
      Object.assign(t, { status: 'failed', assignee: 'w1', attempts: 1, leaseToken: 1, lastError: 'exit code 1: tests failed' });
      Object.assign(t, { startedAt: done, completedAt: done, updatedAt: done });
    }
  });
  return dump;
}

async function serve(db) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', db], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url, stop };
}

/** Milliseconds from navigation start to the first Queued card, and to a first card in every column with tasks. */
async function paint(url) {
  const profile = mkdtempSync(join(tmpdir(), 'baton-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(() => {
      const seen = () => {
        const columns = [...document.querySelectorAll('[data-column]')];
        const counted = columns.filter((c) => Number(c.querySelector('.count')?.textContent?.replace(/,/g, '')) > 0);
        if (window.__firstCard === undefined && document.querySelector('[data-column="queued"] .card')) {
          window.__firstCard = performance.now();
        }
        if (window.__wholeBoard === undefined && counted.length > 0 && counted.every((c) => c.querySelector('.card'))) {
          window.__wholeBoard = performance.now();
        }
      };
      new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
    });
    await page.goto(`${url}/#/`);
    await page.waitForFunction(() => window.__firstCard !== undefined && window.__wholeBoard !== undefined, null, {
      timeout: 60_000,
    });
    return await page.evaluate(() => ({ first: window.__firstCard, whole: window.__wholeBoard }));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Server time of the board's own requests, measured at the client (no browser). */
async function requests(url) {
  const paths = [
    '/tasks/counts?parents=false',
    '/tasks?status=queued,assigned&parents=false&sort=claim&limit=50',
    '/tasks?status=completed&parents=false&sort=updated&limit=50',
    '/tasks?status=blocked,queued,assigned,executing,paused,reviewing,completed,failed,cancelled,skipped&parents=true&sort=updated&limit=50',
  ];
  const out = {};
  for (const p of paths) {
    const ms = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/v1${p}`);
      await res.arrayBuffer();
      ms.push(performance.now() - t0);
    }
    out[p.split('&')[0]] = median(ms);
  }
  return out;
}

export async function run() {
  const { baton, db, cleanup } = await openFresh();
  await baton.importData(await boardDump());
  await baton.close();
  const server = await serve(db);
  try {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await paint(server.url));
    const first = runs.map((r) => r.first);
    const whole = runs.map((r) => r.whole);
    const calls = await requests(server.url);
    const n = TASKS.toLocaleString('en');
    return {
      section: `board first paint (${n} tasks, SQLite, baton serve, Chromium 1440×900)`,
      runs: RUNS,
      results: [
        {
          name: 'first cards visible',
          value: median(first),
          unit: 'ms',
          target: '<= 1000',
          ok: median(first) <= 1000,
          samples: first,
        },
        { name: 'every column with tasks shows cards', value: median(whole), unit: 'ms', target: '-', ok: true, samples: whole },
        ...Object.entries(calls).map(([name, ms]) => ({
          name: `GET ${name} (p50 of 7)`,
          value: ms,
          unit: 'ms',
          target: '-',
          ok: true,
          samples: [ms],
        })),
      ],
    };
  } finally {
    await server.stop();
    cleanup();
  }
}

// `node bench/board-paint.mjs` runs this section alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = await run();
  console.log(section.section);
  for (const r of section.results)
    console.log(
      `  ${r.name}: ${r.value.toFixed(0)} ${r.unit} (target ${r.target}) [${r.samples.map((s) => s.toFixed(0)).join(', ')}]`,
    );
}
