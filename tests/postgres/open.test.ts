import { afterEach, describe, expect, it } from 'vitest';
import type { BatonError } from '../../src/core/errors.js';
import { LATEST_VERSION, MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openAtOnce } from '../helpers/open-store.js';
import { dropSchema, newSchemaName, openPg, PG_URL, pgCwd, schemaUrl, withAdmin } from './pg-test-db.js';

const schemas: string[] = [];
const fresh = () => {
  const schema = newSchemaName();
  schemas.push(schema);
  return schema;
};
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

async function refusal(call: Promise<unknown>): Promise<BatonError> {
  try {
    await call;
  } catch (err) {
    return err as BatonError;
  }
  throw new Error('expected opening to fail');
}

describe('opening a PostgreSQL store', () => {
  it('10 processes opening a fresh schema at once: migrations applied once, no errors', async () => {
    const schema = fresh();
    await openAtOnce(schemaUrl(schema), pgCwd(), 10, 0);
    const applied = await withAdmin((sql) =>
      sql.unsafe(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`),
    );
    expect(applied.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    const meta = await withAdmin((sql) => sql.unsafe(`SELECT key FROM "${schema}".baton_meta ORDER BY key`));
    expect(meta.map((r) => r.key)).toEqual(['created_at', 'kind']);
  });

  it('a schema option keeps two stores apart in one database', async () => {
    const [a, b] = [fresh(), fresh()];
    const one = await openPg({ db: schemaUrl(a) });
    const two = await openPg({ db: PG_URL, schema: b });
    try {
      await one.createTask({ title: 'only in a' });
      expect((await one.listTasks()).total).toBe(1);
      expect((await two.listTasks()).total).toBe(0);
      expect(two.store.location).toContain(`schema=${b}`);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('an unreachable server is a coded error, not a stack trace', async () => {
    const err = await refusal(openPg({ db: 'postgres://postgres@127.0.0.1:1/test?schema=nowhere' }));
    expect(err.code).toBe('store_unavailable');
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/cannot reach PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/test/);
  });

  it('refused credentials are a coded error that names the cause and hides the password', async () => {
    const url = new URL(PG_URL);
    url.username = 'no_such_baton_role';
    url.password = 'secret-word';
    const err = await refusal(openPg({ db: `${url.href}?schema=${fresh()}` }));
    expect(err.code).toBe('store_unavailable');
    expect(err.message).toContain('refused the credentials');
    expect(err.message).not.toContain('secret-word');
  });

  it('a missing database is store_not_found', async () => {
    const url = new URL(PG_URL);
    url.pathname = '/no_such_baton_db';
    const err = await refusal(openPg({ db: url.href }));
    expect(err.code).toBe('store_not_found');
  });

  it('refuses a schema written by a newer Baton, naming both versions, and leaves it as it was', async () => {
    const schema = fresh();
    await (await openPg({ db: schemaUrl(schema) })).close();
    const future = LATEST_VERSION + 1;
    await withAdmin((sql) =>
      sql.unsafe(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, 'from a newer Baton')`, [future]),
    );
    const err = await refusal(openPg({ db: schemaUrl(schema) }));
    expect(err.code).toBe('not_a_store');
    expect(err.message).toContain(`schema version ${future}`);
    expect(err.message).toContain(`up to version ${LATEST_VERSION}`);
    const versions = await withAdmin((sql) => sql.unsafe(`SELECT max(version)::int AS v FROM "${schema}".schema_migrations`));
    expect(Number(versions[0]?.v)).toBe(future);
  });

  it("refuses a schema holding someone else's tables, and a bad schema name", async () => {
    const schema = fresh();
    await withAdmin((sql) => sql.unsafe(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".orders (id int)`));
    expect((await refusal(openPg({ db: schemaUrl(schema) }))).code).toBe('not_a_store');
    const bad = await refusal(openPg({ db: PG_URL, schema: 'no-dashes; drop' }));
    expect(bad.code).toBe('invalid_argument');
    expect(bad.message).toContain('schema');
  });
});
