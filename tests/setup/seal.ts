import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Seals the suite from the machine it runs on (vitest `globalSetup`, before any test file).
 *
 * A store is found by walking up from the current folder, so a test that lets a command look for
 * one from a temp folder would find whatever `.baton/` a parent holds: a developer's, or another
 * copy of the suite's. Every test therefore names its store or works in its own folder with a
 * `.baton/` of its own. To keep it so:
 *
 * - Temp folders live in a sandbox of this run (TMPDIR, inherited by test workers and their
 *   children), so two runs at once never share one.
 * - The sandbox holds a guard `.baton/` whose store and config refuse to open, naming this file.
 *   A test that walks up out of its folder fails on the spot, and the teardown fails the run if
 *   anything was written there anyway.
 * - BATON_* variables of the developer's shell are dropped, so `BATON_DB`, `BATON_SERVER` or
 *   `BATON_TOKEN` cannot redirect what a test opens; only the suite's own settings stay.
 *
 * The sandbox goes when the run ends, so a process a test leaves running would walk past it:
 * tests stop what they start, failed or not.
 */

/** Settings of the suite itself (not of Baton), kept from the caller's environment. */
const SUITE_SETTINGS = new Set(['BATON_TEST_PG', 'BATON_CHROMIUM', 'BATON_MCP_SIZES']);
const GUARD_TABLE = 'a_test_walked_up_out_of_its_temp_folder';
const GUARD_CONFIG = `# Made by ${import.meta.filename}: no test may find this folder.
${GUARD_TABLE}: give the test a store of its own (--db, or a folder with its own .baton/)
`;

export default function seal(): () => void {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('BATON_') && !SUITE_SETTINGS.has(name)) delete process.env[name];
  }

  const callerTmpdir = process.env.TMPDIR;
  const outer = tmpdir();
  const sandbox = mkdtempSync(join(outer, 'baton-suite-'));
  // The PostgreSQL restart test runs a private server as the `postgres` user inside a temp folder.
  chmodSync(sandbox, 0o755);
  const guard = join(sandbox, '.baton');
  mkdirSync(guard);
  const db = new Database(join(guard, 'baton.db'));
  db.exec(`CREATE TABLE ${GUARD_TABLE} (why TEXT)`);
  db.close();
  writeFileSync(join(guard, 'config.yaml'), GUARD_CONFIG);
  const before = fingerprint(guard);

  const cwdStore = join(process.cwd(), '.baton');
  const cwdHadStore = existsSync(cwdStore);
  process.env.TMPDIR = sandbox;

  return () => {
    if (callerTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = callerTmpdir;
    const problems: string[] = [];
    const after = fingerprint(guard);
    if (after !== before) problems.push(`the guard store ${guard} was touched:\n${after}`);
    if (!cwdHadStore && existsSync(cwdStore)) problems.push(`a store was created in the project folder: ${cwdStore}`);
    if (problems.length > 0) {
      // Kept as evidence. Vitest reports an error thrown here but would still exit with 0.
      process.exitCode = 1;
      throw new Error(`a test used a store outside its own temp folder (sandbox kept: ${sandbox})\n${problems.join('\n')}`);
    }
    rmSync(sandbox, { recursive: true, force: true });
  };
}

/** Names and content hashes of everything in `dir`: any write shows. */
function fingerprint(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => {
      const path = join(e.parentPath, e.name);
      const content = e.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16) : '(folder)';
      return `${path.slice(dir.length + 1)} ${content}`;
    })
    .sort()
    .join('\n');
}
