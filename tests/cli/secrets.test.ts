import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

describe('store passwords in what the CLI prints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an unreachable PostgreSQL is named without the password of its URL, in text and in JSON', () => {
    // Port 1: nothing listens there, so the store cannot be reached and the error names it.
    const runs = [
      ['status', '--db', 'postgres://baton:hunter22@127.0.0.1:1/work'],
      ['status', '--json', '--db', 'postgres://127.0.0.1:1/work?password=hunter22'],
    ];
    for (const args of runs) {
      const r = cli(dir, args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('store_unavailable');
      expect(r.stderr).toContain('127.0.0.1:1/work');
      expect(r.stderr).not.toContain('hunter22');
    }
  });
});
