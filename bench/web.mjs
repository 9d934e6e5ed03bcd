// Dashboard benchmarks: first meaningful paint of the board over 10,000 tasks, latency from a
// change to the DOM through the event stream, and the size of the built bundle (gzip).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { childEnv, median, openFresh, percentile, queuedDump } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TASKS = 10_000;
const CHANGES = 30;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const ASSETS = join(ROOT, 'web/dist/assets');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** 10,000 tasks: most queued, a share completed, so several columns fill. */
async function boardDump() {
  const dump = await queuedDump(TASKS, { capabilities: ['python'] });
  const at = Date.now();
  dump.tasks.forEach((t, i) => {
    t.priority = ['critical', 'high', 'normal', 'low', 'maintenance'][i % 5];
    if (i % 10 < 3) {
      Object.assign(t, { status: 'completed', progress: 100, assignee: 'w1', attempts: 1, leaseToken: 1 });
      t.startedAt = new Date(at - 60_000 - i).toISOString();
      t.completedAt = new Date(at - i).toISOString();
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

async function browserContext() {
  const profile = mkdtempSync(join(tmpdir(), 'baton-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** Milliseconds from navigation start until the first card of the Queued column is in the DOM, cold profile. */
async function firstPaint(url) {
  const { context, close } = await browserContext();
  const page = context.pages()[0] ?? (await context.newPage());
  await page.addInitScript(() => {
    new MutationObserver((_m, obs) => {
      if (document.querySelector('[data-column="queued"] .card')) {
        window.__firstCard = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${url}/#/`);
  await page.waitForFunction(() => window.__firstCard !== undefined, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => window.__firstCard);
  await close();
  return ms;
}

/**
 * Milliseconds from a write (reprioritising a visible card) to the card showing it, via SSE. The
 * cards are Completed ones: newest first, a changed one moves to the top and stays in view, where a
 * queued one made low priority would leave the loaded part of Queued (claim order).
 */
async function changeLatency(url) {
  const { context, close } = await browserContext();
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${url}/#/`);
  await page.locator('[data-column="completed"] .card').first().waitFor({ timeout: 30_000 });
  await page.getByText('live', { exact: true }).waitFor();
  const samples = [];
  for (let i = 0; i < CHANGES; i++) {
    const ms = await page.evaluate(async (n) => {
      const cards = [...document.querySelectorAll('[data-column="completed"] .card')];
      const card = cards[n % cards.length];
      const id = card.getAttribute('data-task-id');
      const badge = () => card.querySelector('.prio')?.textContent;
      const priority = badge() === 'critical' ? 'low' : 'critical';
      const t0 = performance.now();
      const seen = new Promise((resolve) => {
        const obs = new MutationObserver(() => {
          if (badge() === priority) {
            obs.disconnect();
            resolve(performance.now());
          }
        });
        obs.observe(card, { childList: true, subtree: true, characterData: true });
      });
      await fetch(`/api/v1/tasks/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ priority }),
      });
      return (await seen) - t0;
    }, i);
    samples.push(ms);
  }
  await close();
  return samples;
}

function bundleGzipKb() {
  if (!existsSync(ASSETS)) throw new Error('web/dist is not built: npm run build');
  let bytes = 0;
  for (const f of readdirSync(ASSETS))
    if (/\.(js|css)$/.test(f)) bytes += gzipSync(readFileSync(join(ASSETS, f)), { level: 9 }).length;
  return bytes / 1024;
}

export async function run() {
  const { baton, db, cleanup } = await openFresh();
  await baton.importData(await boardDump());
  await baton.close();
  const server = await serve(db);
  try {
    const paints = [];
    for (let i = 0; i < RUNS; i++) paints.push(await firstPaint(server.url));
    const latencies = await changeLatency(server.url);
    const gz = bundleGzipKb();
    return {
      section: 'web dashboard',
      runs: RUNS,
      results: [
        {
          name: `board first meaningful paint (${TASKS.toLocaleString('en')} tasks)`,
          value: median(paints),
          unit: 'ms',
          target: '<= 1500',
          ok: median(paints) <= 1500,
          samples: paints,
        },
        {
          name: 'change -> DOM via SSE, p50',
          value: median(latencies),
          unit: 'ms',
          target: '<= 200',
          ok: median(latencies) <= 200,
          samples: latencies,
        },
        {
          name: 'change -> DOM via SSE, p95',
          value: percentile(latencies, 95),
          unit: 'ms',
          target: '-',
          ok: true,
          samples: latencies,
        },
        { name: 'bundle size (JS + CSS, gzip)', value: gz, unit: 'KiB', target: '-', ok: true, samples: [gz] },
      ],
    };
  } finally {
    await server.stop();
    cleanup();
  }
}
