import { afterEach, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { dropSchema, newSchemaName, openPg, schemaUrl, withAdmin } from './pg-test-db.js';

const schemas: string[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

it('a schema from before task resources is upgraded in place on open, keeping its tasks', async () => {
  const schema = newSchemaName('baton_upgrade');
  schemas.push(schema);
  const db = schemaUrl(schema);
  const baton = await openPg({ db, create: true });
  const task = await baton.createTask({ title: 'Written before resources' });
  await baton.close();
  // Back to the schema of version 3: the tables and columns of every later migration removed
  // (with what depends on them: indexes, triggers).
  await withAdmin(async (sql) => {
    const s = `"${schema}"`;
    const later = MIGRATIONS.filter((m) => m.version > 3)
      .map((m) => m.sql)
      .join('\n');
    // Triggers first: one on a table that stays (tasks) goes only by name.
    for (const [, trigger, table] of later.matchAll(/CREATE TRIGGER (\w+)[\s\S]*?ON (\w+)/g)) {
      await sql.unsafe(`DROP TRIGGER IF EXISTS ${trigger} ON ${s}.${table}`);
    }
    for (const [, table] of later.matchAll(/CREATE TABLE (\w+)/g)) await sql.unsafe(`DROP TABLE ${s}.${table} CASCADE`);
    for (const [, index] of later.matchAll(/CREATE INDEX (\w+)/g)) await sql.unsafe(`DROP INDEX IF EXISTS ${s}.${index}`);
    for (const [, table, column] of later.matchAll(/ALTER TABLE (\w+) ADD COLUMN (\w+)/g)) {
      await sql.unsafe(`ALTER TABLE IF EXISTS ${s}.${table} DROP COLUMN IF EXISTS ${column} CASCADE`);
    }
    await sql.unsafe(`DELETE FROM ${s}.schema_migrations WHERE version > 3`);
  });

  const upgraded = await openPg({ db });
  try {
    expect(await upgraded.getTask(task.id)).toMatchObject({ title: 'Written before resources', resources: [] });
    expect((await upgraded.updateTask(task.id, { resources: ['db:2'] })).resources).toEqual(['db']);
    expect(await upgraded.listResources()).toEqual([{ name: 'db', capacity: 2, holders: [], waiting: 1 }]);
    const versions = await withAdmin((sql) => sql.unsafe(`SELECT max(version) AS v FROM "${schema}".schema_migrations`));
    expect(Number(versions[0]?.v)).toBe(LATEST_VERSION);
  } finally {
    await upgraded.close();
  }
});
