import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openBaton } from '../../src/app/open.js';
import * as pg from '../../src/store/postgres/migrations.js';
import * as sqlite from '../../src/store/sqlite/migrations.js';
import { openAtOnce } from '../helpers/open-store.js';
import { dropSchema, newSchemaName, pgCwd, schemaUrl, withAdmin } from '../postgres/pg-test-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A store of one backend, and raw access to it past the store's own code. */
interface GapBackend {
  name: string;
  versions: readonly number[];
  /** A fresh store: what `--db` takes and where to open it from. */
  fresh(): Promise<{ db: string; cwd: string }>;
  /** Runs SQL on the store as it is, outside Baton. */
  raw(db: string, sql: string): Promise<void>;
  /** The versions recorded in `schema_migrations`, in order. */
  recorded(db: string): Promise<number[]>;
}

const backends: GapBackend[] = [
  {
    name: 'SQLite',
    versions: sqlite.MIGRATIONS.map((m) => m.version),
    fresh: async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'baton-gap-'));
      cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));
      return { db: join(cwd, 'baton.db'), cwd };
    },
    raw: async (db, sql) => {
      const conn = new Database(db);
      try {
        conn.exec(sql);
      } finally {
        conn.close();
      }
    },
    recorded: async (db) => {
      const conn = new Database(db, { readonly: true });
      try {
        return conn.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
      } finally {
        conn.close();
      }
    },
  },
  {
    name: 'PostgreSQL',
    versions: pg.MIGRATIONS.map((m) => m.version),
    fresh: async () => {
      const schema = newSchemaName('baton_gap');
      cleanups.push(() => dropSchema(schema));
      return { db: schemaUrl(schema), cwd: pgCwd() };
    },
    raw: (db, sql) => withAdmin(async (conn) => void (await conn.unsafe(`SET search_path TO "${schemaOf(db)}"; ${sql}`))),
    recorded: (db) =>
      withAdmin(async (conn) =>
        (await conn.unsafe(`SELECT version FROM "${schemaOf(db)}".schema_migrations ORDER BY version`)).map((r) =>
          Number(r.version),
        ),
      ),
  },
];

const schemaOf = (url: string) => new URL(url).searchParams.get('schema') as string;

const WORKFLOW = 'name: nightly\nsteps:\n  - id: build\n    task: { title: Build }\n';

describe.each(backends)('migrations on $name', (backend) => {
  it('a version missing below the newest recorded one is applied on open, once, by one of many processes', async () => {
    // The workflow definitions migration, with later ones recorded: a store that has the newest
    // version without it (released out of order) and so lacks its table.
    const gap = (backend.name === 'SQLite' ? sqlite.MIGRATIONS : pg.MIGRATIONS).find((m) => m.name === 'workflow definitions');
    expect(gap && gap.version < Math.max(...backend.versions)).toBe(true);
    const { db, cwd } = await backend.fresh();
    const baton = await openBaton({ db, cwd, create: true });
    const task = await baton.createTask({ title: 'Written before the gap' });
    await baton.close();
    await backend.raw(db, `DROP TABLE workflows; DELETE FROM schema_migrations WHERE version = ${gap?.version}`);
    expect(await backend.recorded(db)).toEqual(backend.versions.filter((v) => v !== gap?.version));

    await openAtOnce(db, cwd, 4, 1);

    expect(await backend.recorded(db)).toEqual(backend.versions);
    const reopened = await openBaton({ db, cwd });
    try {
      expect((await reopened.getTask(task.id)).title).toBe('Written before the gap');
      expect((await reopened.addWorkflow(WORKFLOW)).workflow).toMatchObject({ name: 'nightly', version: 1 });
      expect((await reopened.listWorkflows()).map((w) => w.name)).toEqual(['nightly']);
    } finally {
      await reopened.close();
    }
  });
});
