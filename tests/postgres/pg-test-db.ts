import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { type OpenOptions, openBaton } from '../../src/app/open.js';
import { sealedFolder } from '../helpers/sealed.js';

/**
 * The PostgreSQL the tests run against: `BATON_TEST_PG` or the one on this machine. Every test
 * gets its own schema and drops it afterwards. An unreachable server fails the tests (in CI and
 * locally alike): a skipped backend would pass for a working one.
 */
export const PG_URL = process.env.BATON_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Connections per pool of a store the tests open. */
const TEST_POOL = 4;

export function schemaUrl(schema: string, extra = ''): string {
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  // A store opened by a test (or a server or worker it starts) holds a few connections, not the
  // default ten: a run keeps dozens open at once against one server's max_connections, and two
  // copies of the suite may share it.
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', String(TEST_POOL));
  return `${url.href}${extra}`;
}

/** Unique across processes too: two copies of the suite may share the database. */
export function newSchemaName(prefix = 'baton_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`;
}

let cwd: string | undefined;
/**
 * The folder PostgreSQL stores are opened from. Their config (`.baton/config.yaml`) is looked for
 * by walking up from the current folder, which in the test process is the repository: a
 * developer's own `.baton/` there must not change the tests' lease lengths or retry policy.
 */
export function pgCwd(): string {
  cwd ??= sealedFolder('baton-pg');
  return cwd;
}

/** Opens a store in this process, from `pgCwd()`. */
export function openPg(options: OpenOptions): Promise<LocalBaton> {
  return openBaton({ cwd: pgCwd(), ...options });
}

/** A connection to the test database, outside any store's schema (close it with `end()`). */
export function adminConnection(): postgres.Sql {
  return postgres(PG_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
}

/** Runs `fn` on a short-lived admin connection. */
export async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = adminConnection();
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withAdmin((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** A fresh schema per call, as the store contract's `freshDb` wants it. */
export async function freshSchema(): Promise<{ url: string; schema: string; cleanup: () => Promise<void> }> {
  const schema = newSchemaName();
  return { url: schemaUrl(schema), schema, cleanup: () => dropSchema(schema) };
}
