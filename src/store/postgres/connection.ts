import postgres from 'postgres';
import { BatonError } from '../../core/errors.js';
import { redactUrl } from '../../core/redact.js';
import { socketFactory } from './socket.js';

/** How a PostgreSQL store is reached, parsed once from its URL and options. */
export interface PostgresOptions {
  /** `postgres://user:pass@host:port/db?schema=NAME&pooler=transaction&pool=N`. */
  url: string;
  /** Overrides `?schema=`. Keeps several Baton instances (and test runs) apart in one database. */
  schema?: string | undefined;
  /** `transaction`: behind PgBouncer in transaction mode (no LISTEN, no prepared statements). */
  pooler?: 'session' | 'transaction' | undefined;
  /** Connections in the pool. */
  poolSize?: number | undefined;
  /** How long an operation keeps retrying a lost connection before giving up, in ms. */
  reconnectMs?: number | undefined;
}

export interface ConnectionSettings {
  /** The URL without Baton's own parameters, as the driver gets it. */
  url: string;
  /** The URL without credentials, for messages. */
  location: string;
  schema: string;
  pooler: 'session' | 'transaction';
  poolSize: number;
  reconnectMs: number;
}

export const DEFAULT_SCHEMA = 'baton';
const DEFAULT_POOL_SIZE = 10;
const DEFAULT_RECONNECT_MS = 30_000;
// Short enough that the notification channels (`<schema>.baton_events`) stay within 63 bytes.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/;
const BATON_PARAMS = ['schema', 'pooler', 'pool', 'reconnect_timeout'];

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

export function parseSettings(options: PostgresOptions): ConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new BatonError('invalid_argument', 'db: not a valid postgres:// URL', { field: 'db' });
  }
  const q = parsed.searchParams;
  const schema = options.schema ?? q.get('schema') ?? process.env.BATON_PG_SCHEMA ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new BatonError('invalid_argument', `schema: "${schema}" must be letters, digits and _ (at most 50)`, {
      field: 'schema',
    });
  }
  const pooler = options.pooler ?? q.get('pooler') ?? process.env.BATON_PG_POOLER ?? 'session';
  if (pooler !== 'session' && pooler !== 'transaction') {
    throw new BatonError('invalid_argument', `pooler: expected session or transaction, got "${pooler}"`, { field: 'pooler' });
  }
  const poolSize = options.poolSize ?? positive(q.get('pool'), 'pool') ?? DEFAULT_POOL_SIZE;
  const reconnectSeconds = positive(q.get('reconnect_timeout'), 'reconnect_timeout');
  const reconnectMs = options.reconnectMs ?? (reconnectSeconds !== undefined ? reconnectSeconds * 1000 : DEFAULT_RECONNECT_MS);
  for (const key of BATON_PARAMS) q.delete(key);
  const location = new URL(parsed.href);
  location.username = '';
  location.password = '';
  location.searchParams.set('schema', schema);
  // `?password=` and `?sslpassword=` are credentials too.
  return { url: parsed.href, location: redactUrl(location.href), schema, pooler, poolSize, reconnectMs };
}

function positive(raw: string | null, field: string): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0)) throw new BatonError('invalid_argument', `${field}: must be a positive number`, { field });
  return n;
}

export type Sql = postgres.Sql;
/** Anything statements can run on: the pool, a reserved connection, a transaction. */
export type Queryable = Pick<postgres.Sql, 'unsafe'>;

export function connect(settings: ConnectionSettings, max = settings.poolSize): Sql {
  guardTypeFetch();
  return postgres(settings.url, {
    max,
    // A transaction-mode pooler hands each statement to any server connection, so a statement
    // prepared on one may be missing on the next.
    prepare: settings.pooler !== 'transaction',
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
    // How long a connection that failed waits before it connects again, by failures in a row
    // (shared by the pool). The driver's own grows to 20 s, so after a long outage connections
    // (and LISTEN) would come back that long after the database did.
    backoff: (retries: number) => Math.min(0.5, 0.02 * 2 ** retries),
    // JIT compiles a statement whose estimated cost passes jit_above_cost: the claim's estimate
    // passes it once a few thousand tasks are queued, and compiling then costs 100–300 ms of CPU
    // on every claim, for a statement that runs in well under a millisecond.
    connection: { application_name: 'baton', jit: 'off' },
    // Not in the driver's types, but in its documentation (README, "Custom socket").
    ...({ socket: socketFactory() } as object),
  });
}

let guardingTypeFetch = false;

/**
 * The driver (postgres.js 3.4.9) fetches the array types on each connection it opens, from within
 * its protocol handler, and nothing awaits that fetch: a connection that breaks during it (the
 * server stopping just as a connection is made) rejects a promise nobody handles, and Node ends
 * the process. The query waiting for that connection is told of the failure anyway. This takes
 * those rejections — a lost connection of the driver's own type query — and only those: any other
 * unhandled rejection still ends the process, unless some other listener decides otherwise.
 * (Fetching the types once only is no way out: the driver then strands `reserve()` on a new
 * connection, porsager/postgres#751.)
 */
function guardTypeFetch(): void {
  if (guardingTypeFetch) return;
  guardingTypeFetch = true;
  process.on('unhandledRejection', (reason) => {
    if (lostTypeFetch(reason)) return;
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  });
}

/** The driver's own query for the array types, failed because its connection broke. */
function lostTypeFetch(reason: unknown): boolean {
  // The driver names the query an error belongs to in its `query` property.
  const query = (reason as { query?: unknown } | null)?.query;
  return connectionLost(reason) && typeof query === 'string' && query.includes("where a.typcategory = 'A'");
}

/** The database's host could not be reached at all. */
const UNREACHABLE_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
];
/** SQLSTATE and driver codes that mean "the database could not be reached or went away". */
const CONNECT_CODES = new Set([
  ...UNREACHABLE_CODES,
  '57P03', // the server is starting up or shutting down
  '53300', // too many connections
]);
/** The connection broke while a statement may have been running. */
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  '57P01', // terminated by the administrator (a restart)
  '57P02',
  '08000',
  '08003',
  '08006',
]);
const AUTH_CODES = new Set(['28P01', '28000']);
/** The server is not there or not taking sessions: it is down, starting or stopping. */
const DOWN_CODES = new Set([
  ...UNREACHABLE_CODES,
  '57P01', // terminated by the administrator: the server is shutting down
  '57P02',
  '57P03',
]);
/** Every connection of the pool is taken (see reservation.ts): nothing was sent. */
export const POOL_TIMEOUT = 'RESERVE_TIMEOUT';

const codeOf = (err: unknown): string => String((err as { code?: unknown } | null)?.code ?? '');

/** The statement never reached the database: repeating it cannot apply it twice. */
export function notSent(err: unknown): boolean {
  const code = codeOf(err);
  return CONNECT_CODES.has(code) || code === POOL_TIMEOUT;
}

/**
 * The pool cannot serve for now: the server is down, starting or stopping, or no connection of
 * the pool came free in time. Trying again at once is pointless; a new pool is wanted.
 */
export function poolUnusable(err: unknown): boolean {
  const code = codeOf(err);
  return DOWN_CODES.has(code) || code === POOL_TIMEOUT;
}

/** The connection failed, before or during the statement. */
export function connectionLost(err: unknown): boolean {
  const code = codeOf(err);
  return CONNECT_CODES.has(code) || BROKEN_CODES.has(code);
}

/** Another transaction got in the way; running the whole transaction again is safe. */
export function mustRetryTransaction(err: unknown): boolean {
  const code = codeOf(err);
  return code === '40001' || code === '40P01';
}

/** Driver errors a user can act on, as coded Baton errors; everything else passes through. */
export function toStoreError(err: unknown, location: string): unknown {
  if (err instanceof BatonError) return err;
  const code = codeOf(err);
  const reason = (err as Error | null)?.message ?? String(err);
  if (AUTH_CODES.has(code)) {
    return new BatonError('store_unavailable', `PostgreSQL at ${location} refused the credentials: ${reason}`, {
      location,
      reason: code,
    });
  }
  if (code === '3D000') {
    return new BatonError('store_not_found', `PostgreSQL at ${location}: ${reason}`, { location });
  }
  // disk_full: the database's disk is full, and nothing was written.
  if (code === '53100') {
    return new BatonError('store_full', `PostgreSQL at ${location} is out of disk space: ${reason}`, { location });
  }
  if (code === POOL_TIMEOUT) {
    return new BatonError('store_busy', `PostgreSQL at ${location}: ${reason}`, { location, reason: code });
  }
  if (connectionLost(err)) {
    return new BatonError('store_unavailable', `cannot reach PostgreSQL at ${location} (${code}: ${reason})`, {
      location,
      reason: code,
    });
  }
  return err;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Backoff between reconnection attempts: doubling from 50 ms to 2 s, with jitter. */
export function backoffMs(attempt: number): number {
  const base = Math.min(2000, 50 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
