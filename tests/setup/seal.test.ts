import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/app/config.js';
import { cli } from '../cli/run-cli.js';
import { childEnv } from '../helpers/sealed.js';

/** What `seal.ts` promises the other tests; if one of these fails, their isolation is gone too. */
describe('the sealed suite', () => {
  it('a command looking for a store from a bare temp folder meets the guard, which refuses to open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-seal-'));
    try {
      const r = cli(dir, ['list']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `not_a_store: ${join(tmpdir(), '.baton', 'baton.db')} is a SQLite database but not a Baton store`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the guard's config refuses to load, so a PostgreSQL store opened from a bare temp folder fails too", async () => {
    await expect(loadPolicy(join(tmpdir(), '.baton', 'config.yaml'))).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('a_test_walked_up_out_of_its_temp_folder'),
    });
  });

  it("no BATON_* of the caller's shell reaches a test or a process it starts", () => {
    for (const name of ['BATON_DB', 'BATON_SERVER', 'BATON_TOKEN', 'BATON_ACTOR', 'BATON_WORKER_ID']) {
      expect(process.env[name], name).toBeUndefined();
    }
    // As if a test (or a library it calls) had set one after the suite started.
    process.env.BATON_DB = join(tmpdir(), 'nowhere', 'baton.db');
    try {
      const env = spawnSync('env', { env: childEnv({ KEPT: '1' }), encoding: 'utf8' }).stdout;
      expect(env).toContain('KEPT=1\n');
      expect(env.split('\n').filter((line) => line.startsWith('BATON_'))).toEqual([]);
    } finally {
      delete process.env.BATON_DB;
    }
  });
});
