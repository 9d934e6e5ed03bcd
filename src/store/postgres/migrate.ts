import { BatonError } from '../../core/errors.js';
import { newestRecorded, pendingMigrations } from '../migration-plan.js';
import { newerStoreError } from '../store.js';
import type { Queryable, Sql } from './connection.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations.js';
import { ident } from './sql.js';

/**
 * Brings the schema to the latest version: applies every listed migration that `schema_migrations`
 * lacks, in version order (`pendingMigrations`). Everything happens in one transaction holding a
 * transaction-scoped advisory lock keyed by the schema, so processes opening a fresh schema at
 * once queue up: the first applies the migrations, the others find them applied. The lock goes
 * with the transaction, so it cannot leak even behind a transaction-mode pooler.
 * Returns the schema version.
 */
export async function migrate(sql: Sql, schema: string): Promise<number> {
  const s = ident(schema);
  return (await sql.begin(async (tx) => {
    await tx.unsafe('SELECT pg_advisory_xact_lock(hashtext($1))', [`baton.migrate.${schema}`]);
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await assertBatonSchema(tx, schema);
    await tx.unsafe(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const rows = await tx.unsafe(`SELECT version FROM ${s}.schema_migrations`);
    const recorded = rows.map((r) => Number(r.version));
    const newest = newestRecorded(recorded);
    if (newest > LATEST_VERSION) throw newerStoreError(`schema ${schema}`, newest, LATEST_VERSION);
    // Unqualified names in the migrations land in this schema, for this transaction only.
    await tx.unsafe(`SET LOCAL search_path TO ${s}, pg_catalog`);
    for (const m of pendingMigrations(MIGRATIONS, recorded)) {
      await tx.unsafe(m.sql);
      await tx.unsafe('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      if (m.version === 1) {
        await tx.unsafe("INSERT INTO baton_meta (key, value) VALUES ('kind', 'baton'), ('created_at', now()::text)");
      }
    }
    return LATEST_VERSION;
  })) as number;
}

/** Refuses a schema that holds someone else's tables: Baton never writes beside them. */
async function assertBatonSchema(tx: Queryable, schema: string): Promise<void> {
  const rows = await tx.unsafe('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
  const tables = rows.map((r) => String(r.tablename));
  if (tables.length === 0) return;
  if (!tables.includes('baton_meta')) {
    throw new BatonError(
      'not_a_store',
      `schema ${schema} holds tables that are not Baton's (${tables.slice(0, 5).join(', ')}); pick another with ?schema=`,
      { schema },
    );
  }
}
