// Board first paint over 100,000 tasks: a SQLite store served by `baton serve`, the dashboard in
// Chromium on a cold profile each run. Two figures, medians of BENCH_RUNS (3):
//   - first cards: navigation start until the first card of Queued is in the page (target ≤ 1 s);
//   - whole board: until every column the counts say holds tasks shows its first card.
// Also scrolling Queued fast (frame times, cards in the page at most) and the server side of what
// the board asks for (counts, and the first page of a column).
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
export async function paint(url) {
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

/**
 * Scrolling Queued fast (300 px a frame for 240 frames, fetching pages as it goes): frame times,
 * and the most cards ever in the page at once.
 */
async function scrolling(url) {
  const profile = mkdtempSync(join(tmpdir(), 'baton-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/#/`);
    await page.locator('[data-column="queued"] .card').first().waitFor({ timeout: 60_000 });
    return await page.evaluate(
      () =>
        new Promise((resolve) => {
          const el = document.querySelector('[data-testid="scroll-queued"]');
          const frames = [];
          let most = 0;
          let last = performance.now();
          const step = (n) => {
            const now = performance.now();
            frames.push(now - last);
            last = now;
            most = Math.max(most, el.querySelectorAll('.card').length);
            if (n === 0) {
              const rows = [...el.querySelectorAll('.vrow')].map((r) => Number(r.dataset.index));
              return resolve({ frames, most, reached: Math.max(...rows) });
            }
            el.scrollTop += 300;
            requestAnimationFrame(() => step(n - 1));
          };
          requestAnimationFrame(() => step(240));
        }),
    );
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
    const scroll = await scrolling(server.url);
    const frames = [...scroll.frames.slice(1)].sort((a, b) => a - b);
    const p95 = frames[Math.ceil(frames.length * 0.95) - 1];
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
        {
          name: `scrolling Queued to card ${scroll.reached}: frame p50`,
          value: median(frames),
          unit: 'ms',
          target: '-',
          ok: true,
          samples: frames,
        },
        { name: 'scrolling Queued: frame p95', value: p95, unit: 'ms', target: '-', ok: true, samples: [p95] },
        {
          name: 'scrolling Queued: most cards in the page',
          value: scroll.most,
          unit: 'cards',
          target: '-',
          ok: true,
          samples: [scroll.most],
        },
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
      `  ${r.name}: ${r.value.toFixed(0)} ${r.unit} (target ${r.target}) ${r.samples.length <= 10 ? `[${r.samples.map((s) => s.toFixed(0)).join(', ')}]` : ''}`,
    );
}
