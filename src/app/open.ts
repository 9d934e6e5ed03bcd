import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { loadMaintenance, loadPolicy } from './config.js';
import { linkedWorktreeOf } from './git-worktree.js';
import { LocalBaton } from './local-baton.js';

export const STORE_DIR = '.baton';
export const STORE_FILE = 'baton.db';

export interface OpenOptions {
  /** `sqlite:PATH`, a file path, `postgres://…`, or unset to find `.baton/` by walking up from `cwd`. */
  db?: string | undefined;
  /** PostgreSQL schema holding the store (overrides `?schema=`); keeps instances apart in one database. */
  schema?: string | undefined;
  cwd?: string | undefined;
  /** Create the store when it does not exist (`baton import`, `serve --init`): where found, else here. */
  create?: boolean | undefined;
  /**
   * `baton init`: without `db`, the store is `cwd/.baton/` itself, never one found by walking up
   * (SPEC §1), so that `init` in a fresh folder never writes into a store of some parent folder.
   */
  here?: boolean | undefined;
  actor?: string | undefined;
  /** One clock for the store (leases, `runAfter`) and the Baton's waits (default: the system clock). */
  clock?: Clock | undefined;
}

export type StoreLocation =
  | {
      kind: 'sqlite';
      path: string;
      /** Folder of `config.yaml` and logs. */
      dir: string;
    }
  | { kind: 'postgres'; url: string; schema?: string | undefined; dir: string };

/** Walks up from `cwd` to the nearest folder holding `.baton/`, the way git finds `.git`. */
export function findStoreDir(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, STORE_DIR);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * `.baton/` found by walking up; in a linked git worktree, the one the main checkout sees unless
 * the worktree holds one of its own, so that agents in every worktree of a repository share one
 * board, and a `.baton/` in some folder above the worktree (a home or temp folder) does not hide it.
 */
function findSharedStoreDir(cwd: string): string | null {
  const found = findStoreDir(cwd);
  const worktree = linkedWorktreeOf(cwd);
  if (!worktree) return found;
  if (found?.startsWith(worktree.top + sep)) return found;
  return findStoreDir(worktree.main) ?? found;
}

export function locateStore(options: OpenOptions): StoreLocation {
  const cwd = options.cwd ?? process.cwd();
  const db = options.db ?? process.env.BATON_DB;
  if (db) {
    if (/^postgres(ql)?:\/\//.test(db)) {
      // The database holds the state; config and logs still live in the nearest `.baton/`.
      return { kind: 'postgres', url: db, schema: options.schema, dir: findSharedStoreDir(cwd) ?? join(resolve(cwd), STORE_DIR) };
    }
    const path = resolve(cwd, db.replace(/^sqlite:(\/\/)?/, ''));
    return { kind: 'sqlite', path, dir: dirname(path) };
  }
  if (options.here) {
    const dir = join(resolve(cwd), STORE_DIR);
    return { kind: 'sqlite', path: join(dir, STORE_FILE), dir };
  }
  const found = findSharedStoreDir(cwd);
  if (found) return { kind: 'sqlite', path: join(found, STORE_FILE), dir: found };
  if (options.create) {
    const dir = join(resolve(cwd), STORE_DIR);
    return { kind: 'sqlite', path: join(dir, STORE_FILE), dir };
  }
  throw new BatonError(
    'store_not_found',
    `no ${STORE_DIR}/ store in ${resolve(cwd)} or any parent folder; run \`baton init\` or pass --db`,
  );
}

export async function openStore(location: StoreLocation, create: boolean, clock?: Clock): Promise<Store> {
  if (location.kind === 'postgres') {
    // Loaded only for PostgreSQL: a SQLite command does not pay for the driver and its store.
    const { openPostgresStore } = await import('../store/postgres/postgres-store.js');
    return openPostgresStore({ url: location.url, schema: location.schema, clock });
  }
  return openSqliteStore(location.path, { create, clock });
}

/**
 * Opens the store (and its config) as a `LocalBaton`. A SQLite file named by `--db` or `BATON_DB`
 * must exist unless the caller creates stores (`init`, `serve --init`, `import`): a typo would
 * otherwise start a new, empty board (and its folders) without a word.
 */
export async function openBaton(options: OpenOptions = {}): Promise<LocalBaton> {
  const location = locateStore(options);
  const create = Boolean(options.create || options.here);
  const explicit = options.db ?? process.env.BATON_DB;
  if (explicit && location.kind === 'sqlite' && !create && !existsSync(location.path)) {
    const named = options.db ? '--db' : 'BATON_DB';
    throw new BatonError(
      'store_not_found',
      `no Baton store at ${location.path} (named by ${named}); check the path, or create it with \`baton init --db ${location.path}\``,
      { path: location.path },
    );
  }
  const store = await openStore(location, create, options.clock);
  try {
    const policy = await loadPolicy(join(location.dir, 'config.yaml'));
    return new LocalBaton({
      maintenance: await loadMaintenance(join(location.dir, 'config.yaml')),
      store,
      policy,
      actor: options.actor ?? defaultActor(),
      clock: options.clock,
      patternsFile: join(location.dir, 'patterns.yaml'),
      logDir: join(location.dir, 'logs'),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
}

function defaultActor(): string {
  if (process.env.BATON_ACTOR) return process.env.BATON_ACTOR;
  try {
    return `user:${userInfo().username}`;
  } catch {
    return 'user';
  }
}
