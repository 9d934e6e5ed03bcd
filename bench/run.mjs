// `npm run bench`: runs every benchmark section, prints a table and writes JSON to bench/results/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { printTable } from './lib.mjs';

const SECTIONS = [
  './foundation.mjs',
  './worker.mjs',
  './postgres.mjs',
  './web.mjs',
  './server.mjs',
  './latency.mjs',
  './search.mjs',
  './workflows.mjs',
  './board-paint.mjs',
  './operations.mjs',
  './fleet.mjs',
  './graphql.mjs',
  './scale.mjs',
  './agents.mjs',
];
const only = process.argv[2];

const outDir = new URL('./results/', import.meta.url);
mkdirSync(outDir, { recursive: true });
const report = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, sections: [] };
for (const path of SECTIONS) {
  if (only && !path.includes(only)) continue;
  if (!existsSync(new URL(path, import.meta.url))) continue;
  const mod = await import(path);
  // A section without `run()` measures and prints on import, and writes its own JSON.
  if (typeof mod.run !== 'function') continue;
  const section = await mod.run();
  report.sections.push(section);
  printTable(`${section.section} — medians of ${section.runs} runs`, [
    ['benchmark', 'median', 'target', ''],
    ...section.results.map((r) => [
      r.name,
      `${Number(r.value).toFixed(r.value < 10 ? 2 : 0)} ${r.unit}`,
      r.target,
      r.ok ? 'ok' : 'MISSED',
    ]),
  ]);
}
writeFileSync(new URL('summary.json', outDir), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten ${new URL('summary.json', outDir).pathname}`);
// A peer's client (a Redis or PostgreSQL pool some library keeps open) must not keep the run alive.
process.exit(0);
