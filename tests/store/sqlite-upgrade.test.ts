import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { openBaton } from '../../src/app/open.js';
import { BatonError } from '../../src/core/errors.js';
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
  const waiting = await baton.createTask({ title: 'Waits for it', dependsOn: [task.id] });
  await baton.close();
  const raw = new Database(file);
  const later = MIGRATIONS.filter((m) => m.version > 1);
  expect(later.length).toBeGreaterThan(0);
  raw.exec('DELETE FROM schema_migrations WHERE version > 1');
  const laterSql = later.map((m) => m.sql).join('\n');
  for (const [, trigger] of laterSql.matchAll(/CREATE TRIGGER (\w+)/g)) raw.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
  for (const [, table] of laterSql.matchAll(/CREATE VIRTUAL TABLE (\w+)/g)) raw.exec(`DROP TABLE IF EXISTS ${table}`);
  for (const table of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]) {
    if (later.some((m) => new RegExp(`CREATE TABLE ${table}\\b`).test(m.sql))) raw.exec(`DROP TABLE ${table}`);
  }
  // Columns (and their indexes) that later migrations add to the tables of the first one.
  const sql = later.map((m) => m.sql).join('\n');
  for (const [, index] of sql.matchAll(/CREATE INDEX (\w+)/g)) raw.exec(`DROP INDEX IF EXISTS ${index}`);
  for (const [, table, column] of sql.matchAll(/ALTER TABLE (\w+) ADD COLUMN (\w+)/g)) {
    const exists = raw.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table);
    if (exists) raw.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  }
  raw.close();

  const upgraded = await openBaton({ db: file });
  expect((await upgraded.getTask(task.id)).title).toBe('Written by an older Baton');
  expect(await upgraded.getTask(waiting.id)).toMatchObject({ status: 'blocked', dependsOn: [task.id], conditions: [] });
  // Columns and tables of later migrations work on the old rows.
  expect((await upgraded.getTask(task.id)).resources).toEqual([]);
  expect((await upgraded.updateTask(task.id, { resources: ['db:2'] })).resources).toEqual(['db']);
  const versions = (upgraded.store as unknown as { db: Database.Database }).db
    .prepare('SELECT version FROM schema_migrations ORDER BY version')
    .pluck()
    .all();
  expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
  expect(versions.at(-1)).toBe(LATEST_VERSION);
  expect((await upgraded.getTask(task.id)).recurrence).toBeNull();
  // The search index (migration 8) covers the tasks written before it.
  expect((await upgraded.listTasks({ q: 'older baton' })).tasks.map((t) => t.id)).toEqual([task.id]);
  const recurring = await upgraded.createTask({ title: 'Recurring after the upgrade', every: '0 * * * *' });
  expect(recurring.recurrence?.every).toBe('0 * * * *');
  await upgraded.close();
});

it('a store written by a newer Baton is refused with both versions named, and left untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-newer-'));
  dirs.push(dir);
  const file = join(dir, 'baton.db');
  const baton = await openBaton({ db: file, create: true });
  await baton.createTask({ title: 'Written before the upgrade' });
  await baton.close();
  const future = LATEST_VERSION + 1;
  const raw = new Database(file);
  raw
    .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
    .run(future, 'from a newer Baton', '2031-01-01');
  raw.close();
  const before = readFileSync(file);

  const err = await openBaton({ db: file }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BatonError);
  expect((err as BatonError).code).toBe('not_a_store');
  expect((err as BatonError).message).toContain(`schema version ${future}`);
  expect((err as BatonError).message).toContain(`up to version ${LATEST_VERSION}`);
  expect(readFileSync(file).equals(before)).toBe(true);
});
