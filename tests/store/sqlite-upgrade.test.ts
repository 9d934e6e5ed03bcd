import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { openBaton } from '../../src/app/open.js';
import { LATEST_VERSION, MIGRATIONS } from '../../src/store/sqlite/migrations.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('an older store is upgraded in place on open, keeping its data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-upgrade-'));
  dirs.push(dir);
  const file = join(dir, 'baton.db');
  // A store as the first release wrote it: migration 1 only.
  const baton = await openBaton({ db: file, create: true });
  const task = await baton.createTask({ title: 'Written by an older Baton' });
  await baton.close();
  const raw = new Database(file);
  const later = MIGRATIONS.filter((m) => m.version > 1);
  expect(later.length).toBeGreaterThan(0);
  raw.exec('DELETE FROM schema_migrations WHERE version > 1');
  for (const table of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]) {
    if (later.some((m) => new RegExp(`CREATE TABLE ${table}\\b`).test(m.sql))) raw.exec(`DROP TABLE ${table}`);
  }
  raw.close();

  const upgraded = await openBaton({ db: file });
  expect((await upgraded.getTask(task.id)).title).toBe('Written by an older Baton');
  const versions = (upgraded.store as unknown as { db: Database.Database }).db
    .prepare('SELECT version FROM schema_migrations ORDER BY version')
    .pluck()
    .all();
  expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
  expect(versions.at(-1)).toBe(LATEST_VERSION);
  await upgraded.close();
});
