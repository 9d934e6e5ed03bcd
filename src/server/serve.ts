import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadFleetConfig, loadJwtConfig, loadServerConfig } from '../app/config.js';
import type { LocalBaton } from '../app/local-baton.js';
import { locateStore, openBaton } from '../app/open.js';
import { systemClock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import { type FleetSpec, fleetOf, readFleetFile } from '../fleet/fleet-file.js';
import { memberSpawner } from '../fleet/spawn-member.js';
import { FleetSupervisor } from '../fleet/supervisor.js';
import { buildServer, type ServerOptions } from './app.js';
import { createLogger } from './logger.js';
import { isLoopback } from './request-guard.js';

/**
 * Connections the kernel holds for the server until it accepts them (capped by the system's
 * net.core.somaxconn). Node's default of 511 overflows when thousands of agents connect at once —
 * a fleet starting, or every agent coming back after a restart — and connections past it are reset.
 */
export const LISTEN_BACKLOG = 8192;

export interface ServeOptions {
  db?: string | undefined;
  /** Create the store when there is none (`npm start`). */
  init?: boolean | undefined;
  port: number;
  host: string;
  /** Requests per minute per key (0: no limit). */
  rateLimit?: number | undefined;
  bodyLimit?: number | undefined;
  corsOrigins?: string[] | undefined;
  /** Names the server is reached by besides loopback and `host` (default: the config's `server.allowedHosts`). */
  allowedHosts?: string[] | undefined;
  /** Any caller who may create tasks may set their commands (default: the config's `server.allowCommands`). */
  allowCommands?: boolean | undefined;
  /** Wrong API keys an address may present per minute (0: no limit; default: the config's, or 30). */
  authFailures?: number | undefined;
  dashboardDir?: string | undefined;
  /** HTTPS: PEM files of the certificate (chain) and its key (default: the config's `server.tls`). */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  /** Proxies whose X-Forwarded-For is believed (default: the config's `server.trustProxy`; none). */
  trustProxy?: boolean | string[] | undefined;
  version?: string | undefined;
  /** A fleet file: the server also runs its pools of workers (`baton fleet FILE`), stopped with it. */
  fleet?: string | undefined;
  /** GraphQL introspection and query limits (see `ServerOptions.graphql`). */
  graphql?: ServerOptions['graphql'];
  /** Called with each line meant for the person who started the server. */
  say?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export { isLoopback };

/** `baton serve`: opens the store, refuses an unprotected public address, listens. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const say = options.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const baton = await openBaton({ db: options.db, create: options.init, actor: 'api' });
  const location = locateStore({ db: options.db, create: options.init });
  try {
    const loopback = isLoopback(options.host);
    const keys = (await baton.listKeys()).filter((k) => k.revokedAt === null);
    const { store } = await baton.describe();
    const jwt = await loadJwtConfig(join(location.dir, 'config.yaml'));
    if (!loopback && keys.length === 0 && !jwt) {
      throw new BatonError(
        'usage',
        `refusing to listen on ${options.host} without API keys; create one with \`baton keys create --role admin\`, or listen on 127.0.0.1`,
      );
    }
    const config = await loadServerConfig(join(location.dir, 'config.yaml'));
    const allowCommands = options.allowCommands ?? config.allowCommands ?? false;
    const authFailures = options.authFailures ?? config.authFailures ?? 30;
    const tls = tlsOf(options.tlsCert ?? config.tls?.cert, options.tlsKey ?? config.tls?.key, location.dir);
    const { logger, health: logHealth } = await createLogger({ dir: location.dir });
    const server = await buildServer({
      baton,
      logDir: join(location.dir, 'logs'),
      requireKeys: !loopback,
      jwt,
      logger,
      logHealth,
      bodyLimit: options.bodyLimit,
      rateLimit: options.rateLimit === 0 ? false : { max: options.rateLimit ?? 100_000, windowMs: 60_000 },
      corsOrigins: options.corsOrigins,
      allowedHosts: options.allowedHosts ?? config.allowedHosts,
      allowCommands,
      tls,
      trustProxy: options.trustProxy ?? config.trustProxy,
      authFailureLimit: authFailures === 0 ? false : { max: authFailures, windowMs: 60_000 },
      dashboardDir: options.dashboardDir ?? defaultDashboard(),
      version: options.version,
      graphql: options.graphql,
    });
    const fleetSpec = await fleetToRun(options.fleet, join(location.dir, 'config.yaml'));
    await server.start();
    await server.app.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG });
    const address = server.app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
    const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
    logger.info({ url, store: store.location, keys: keys.length }, 'listening');
    say(`Baton is serving ${url}  (store: ${store.kind} ${store.location})`);
    if (jwt) say(`Bearer JWTs accepted (${jwt.jwksUrl ? `key set ${jwt.jwksUrl}` : 'HS256 secret'}) beside API keys.`);
    if (keys.length === 0 && !jwt) {
      say(
        'No API keys: listening on loopback only, open to anyone on this machine. `baton keys create --role admin` protects it.',
      );
    }
    if (allowCommands) {
      say('--allow-commands: whoever can create tasks here can run code on every worker that runs task commands.');
    }
    const fleet = fleetSpec && startFleet(baton, fleetSpec, options.db, say);
    let closing: Promise<void> | null = null;
    return {
      url,
      close: () => {
        closing ??= (async () => {
          logger.info('shutting down');
          await fleet?.stop();
          await server.close();
          await baton.close();
          logger.flush();
        })();
        return closing;
      },
    };
  } catch (err) {
    await baton.close();
    throw err;
  }
}

/** The fleet serve runs: `--fleet FILE`, else the config's `fleet:` (a file or inline), else none. */
async function fleetToRun(flag: string | undefined, configFile: string): Promise<FleetSpec | null> {
  if (flag !== undefined) return readFleetFile(flag);
  const configured = await loadFleetConfig(configFile);
  if (!configured) return null;
  return 'path' in configured ? readFleetFile(configured.path) : fleetOf(configured.inline, `${configFile} fleet`);
}

/** `serve --fleet`: the supervisor runs beside the server, its members over the same store. */
function startFleet(baton: LocalBaton, spec: FleetSpec, db: string | undefined, say: (line: string) => void): FleetSupervisor {
  const supervisor = new FleetSupervisor({
    baton,
    spec,
    spawn: memberSpawner({ db }),
    clock: systemClock,
    id: `${hostname()}:${process.pid}`,
    log: say,
  });
  void supervisor.start();
  say(`fleet: ${spec.pools.map((p) => `${p.name} (${p.min}–${p.max})`).join(', ')}`);
  return supervisor;
}

/** The certificate and key for HTTPS, read at start: both or neither, each a readable PEM file. */
function tlsOf(cert: string | undefined, key: string | undefined, base: string): { cert: Buffer; key: Buffer } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new BatonError('usage', 'HTTPS needs both a certificate and its key: --tls-cert FILE --tls-key FILE');
  }
  const read = (file: string, what: string) => {
    const path = resolve(base, file);
    let text: Buffer;
    try {
      text = readFileSync(path);
    } catch (err) {
      throw new BatonError(
        'usage',
        `cannot read the TLS ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        {
          file: path,
        },
      );
    }
    if (!text.includes('-----BEGIN ')) throw new BatonError('usage', `the TLS ${what} ${path} is not a PEM file`, { file: path });
    return text;
  };
  return { cert: read(cert, 'certificate'), key: read(key, 'key') };
}

/** `web/dist` of the installed package, when the dashboard was built. */
function defaultDashboard(): string | undefined {
  const dir = resolve(new URL('../../web/dist', import.meta.url).pathname);
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
