import { afterEach, expect, it } from 'vitest';
import { LATEST_VERSION } from '../../src/store/postgres/migrations.js';
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
  // Back to the schema of version 3: what migration 5 adds removed.
  await withAdmin(async (sql) => {
    const s = `"${schema}"`;
    await sql.unsafe(`DROP TABLE ${s}.resources; ALTER TABLE ${s}.tasks DROP COLUMN resources CASCADE`);
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
