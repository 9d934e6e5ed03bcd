import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { childEnv } from './sealed.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OPEN_STORE = resolve(import.meta.dirname, 'open-store.mjs');

export interface OpenOutcome {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Opens the store `db` in a process of its own (the built code, as `baton` would) and closes it;
 * the outcome is what the process printed: `{"ok":true,"tasks":N}` or the coded error.
 */
export function openInProcess(db: string, cwd: string): Promise<OpenOutcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [OPEN_STORE, db], { cwd, env: childEnv() });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => done({ code, out, err }));
  });
}

/** Opens `db` from `count` processes at once and expects each to succeed, seeing `tasks` tasks. */
export async function openAtOnce(db: string, cwd: string, count: number, tasks: number): Promise<void> {
  expect(existsSync(resolve(ROOT, 'dist/app/open.js')), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
  const results = await Promise.all(Array.from({ length: count }, () => openInProcess(db, cwd)));
  for (const r of results) {
    expect({ code: r.code, out: r.out.trim(), err: r.err }).toEqual({
      code: 0,
      out: JSON.stringify({ ok: true, tasks }),
      err: '',
    });
  }
}
