import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type postgres from 'postgres';
import { stringify } from 'yaml';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { adminConnection, dropSchema, newSchemaName, schemaUrl } from '../postgres/pg-test-db.js';

/**
 * One empty store of a backend, sealed in its own temp folder: whoever opens it with
 * `--db <db>` from `cwd` finds its `config.yaml` there, and no `.baton/` of the checkout.
 */
export interface TestStore {
  /** What `--db` takes. */
  readonly db: string;
  /** The folder to run processes in (their `.baton/` for config and logs). */
  readonly cwd: string;
  /** Writes the store owner's `config.yaml` (before it is opened). */
  configure(config: Record<string, unknown>): void;
  /**
   * Deletes every task, event, worker and key behind the back of whoever has it open, and
   * restarts the ids: for a server that serves one store for many tests.
   */
  empty(): Promise<void>;
  /** Deletes the store and its folder. */
  remove(): Promise<void>;
}

export interface StoreBackend {
  /** As the contract's run names say it. */
  readonly name: 'SQLite' | 'PostgreSQL';
  fresh(): Promise<TestStore>;
}

/** Tables that describe the store rather than hold its data: emptying keeps them. */
const KEPT_TABLES = new Set(['schema_migrations', 'baton_meta']);

export const sqliteBackend: StoreBackend = {
  name: 'SQLite',
  async fresh() {
    const cwd = mkdtempSync(join(tmpdir(), 'baton-store-'));
    const db = join(cwd, 'baton.db');
    // Made as `baton init --db` would: a `--db` naming a missing file is refused.
    await openSqliteStore(db, { create: true }).close();
    return {
      db,
      cwd,
      // A SQLite store's config and logs sit next to its file.
      configure: (config) => writeFileSync(join(cwd, 'config.yaml'), stringify(config)),
      empty: async () => emptySqlite(db),
      remove: async () => rmSync(cwd, { recursive: true, force: true }),
    };
  },
};

export const postgresBackend: StoreBackend = {
  name: 'PostgreSQL',
  async fresh() {
    const cwd = mkdtempSync(join(tmpdir(), 'baton-store-'));
    // A PostgreSQL store's config and logs are in the `.baton/` found from the working folder.
    mkdirSync(join(cwd, '.baton'));
    const schema = newSchemaName();
    // Emptied before every test of a suite: one connection for all of them, not one each.
    let admin: postgres.Sql | null = null;
    return {
      db: schemaUrl(schema),
      cwd,
      configure: (config) => writeFileSync(join(cwd, '.baton', 'config.yaml'), stringify(config)),
      empty: () => {
        admin ??= adminConnection();
        return emptyPostgres(admin, schema);
      },
      remove: async () => {
        await admin?.end({ timeout: 5 });
        await dropSchema(schema);
        rmSync(cwd, { recursive: true, force: true });
      },
    };
  },
};

function emptySqlite(path: string): void {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 10000');
    db.pragma('foreign_keys = OFF');
    // sqlite_sequence is among them: emptying it starts ids again at 1, as in a new store.
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    db.transaction(() => {
      // The search index and its own tables follow the tasks by trigger.
      for (const table of tables)
        if (!KEPT_TABLES.has(table) && !table.startsWith('tasks_search')) db.exec(`DELETE FROM "${table}"`);
    }).immediate();
  } finally {
    db.close();
  }
}

async function emptyPostgres(sql: postgres.Sql, schema: string): Promise<void> {
  const rows = await sql<{ tablename: string }[]>`SELECT tablename FROM pg_tables WHERE schemaname = ${schema}`;
  const tables = rows.map((r) => r.tablename).filter((t) => !KEPT_TABLES.has(t));
  const truncate = `TRUNCATE ${tables.map((t) => `"${schema}"."${t}"`).join(', ')} RESTART IDENTITY CASCADE`;
  // The server serving the store keeps working meanwhile (its sweeps, alert checks): the truncate
  // may lose a deadlock to one of its transactions, and is then simply run again.
  for (let attempt = 1; ; attempt++) {
    try {
      await sql.unsafe(truncate);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
    }
  }
}
