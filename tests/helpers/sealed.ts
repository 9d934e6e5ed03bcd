import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The environment for a process a test starts: this one's, without the BATON_* variables a
 * developer's shell may hold (BATON_DB, BATON_SERVER, BATON_TOKEN, …). A child that inherited them
 * would open that store or call that server instead of the one its test set up; what a child needs
 * is passed in `extra`, or as flags.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('BATON_')) env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * A fresh temp folder holding an empty `.baton/`: the walk up for a store stops here, so a command
 * run in it finds no store (or, with a PostgreSQL `--db`, no config) rather than a parent folder's.
 */
export function sealedFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  mkdirSync(join(dir, '.baton'));
  return dir;
}
