import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

it('the committed SQLite schema snapshot matches what the migrations produce', () => {
  const script = resolve(import.meta.dirname, '../../scripts/schema-snapshot.mjs');
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
