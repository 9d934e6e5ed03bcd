import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BatonError } from '../../core/errors.js';
import { parseList, parseNonNegativeInt, parsePositiveInt } from '../../core/values.js';
import { type GlobalOptions, serverOf } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton serve`: the HTTP API, live events, metrics and the dashboard over the store. */
export function registerServeCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the HTTP API, live events, metrics and the dashboard over the store')
    .option('--port <port>', 'port to listen on (0: any free port)', '7420')
    .option('--host <address>', 'address to listen on; beyond loopback, API keys are required', '127.0.0.1')
    .option('--init', 'create the store here when there is none')
    .option('--rate-limit <n>', 'requests per minute per API key (0: no limit)', '100000')
    .option('--body-limit <bytes>', 'largest request body', String(1024 * 1024))
    .option('--cors <origins>', 'browser origins allowed to call the API, comma-separated (default: none)')
    .option(
      '--allowed-hosts <names>',
      'names clients reach the server by (Host header), comma-separated, beyond loopback and --host (config: server.allowedHosts)',
    )
    .option(
      '--allow-commands',
      'let any caller who may create tasks set their shell commands; whoever can set commands can run code on every worker that runs task commands (default: only admin keys with the commands capability)',
    )
    .option(
      '--auth-failures <n>',
      'wrong API keys an address may present per minute before it is refused (0: no limit; default 30)',
    )
    .option('--fleet <file>', 'also run the pools of workers of this fleet file (see `baton fleet`), stopped with the server')
    .option('--dashboard <dir>', 'folder of the built dashboard (default: web/dist when built)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (chain), PEM (config: server.tls.cert)')
    .option('--tls-key <file>', 'the private key of --tls-cert, PEM (config: server.tls.key)')
    .option(
      '--trust-proxy <addresses>',
      'proxies whose X-Forwarded-For names the client (rate limits, wrong-key lockouts): "all", or addresses and CIDR ranges, comma-separated (config: server.trustProxy)',
    )
    .option(
      '--no-graphql-introspection',
      'refuse GraphQL introspection queries (the schema stays at /api/v1/graphql/schema.graphql)',
    )
    .option('--graphql-max-depth <n>', 'deepest nesting of fields a GraphQL query may have (default 8)')
    .option('--graphql-max-cost <n>', 'largest estimated cost of a GraphQL query (default 20000)')
    .action(async (opts: Opts) => {
      const o: Opts = { ...globals(), ...opts };
      if (serverOf(o)) throw new BatonError('usage', 'serve: --server makes no sense here; serve runs over a store (--db)');
      const { serve } = await import('../../server/serve.js');
      const running = await serve({
        db: o.db,
        init: o.init === true,
        port: parseNonNegativeInt(String(o.port), 'port', 65_535),
        host: String(o.host),
        rateLimit: parseNonNegativeInt(String(o.rateLimit), 'rateLimit'),
        bodyLimit: parsePositiveInt(String(o.bodyLimit), 'bodyLimit'),
        corsOrigins: o.cors !== undefined ? parseList(String(o.cors), 'cors') : undefined,
        allowedHosts: o.allowedHosts !== undefined ? parseList(String(o.allowedHosts), 'allowedHosts') : undefined,
        allowCommands: o.allowCommands === true ? true : undefined,
        authFailures: o.authFailures !== undefined ? parseNonNegativeInt(String(o.authFailures), 'authFailures') : undefined,
        dashboardDir: o.dashboard !== undefined ? String(o.dashboard) : undefined,
        // Flags name files from here; the config's from its .baton/ folder.
        tlsCert: o.tlsCert !== undefined ? resolve(String(o.tlsCert)) : undefined,
        tlsKey: o.tlsKey !== undefined ? resolve(String(o.tlsKey)) : undefined,
        trustProxy: o.trustProxy === undefined ? undefined : proxiesOf(String(o.trustProxy)),
        version: (await import('../../app/version.js')).version(),
        fleet: o.fleet !== undefined ? resolve(String(o.fleet)) : undefined,
        graphql: {
          introspection: o.graphqlIntrospection !== false,
          maxDepth: o.graphqlMaxDepth !== undefined ? parsePositiveInt(String(o.graphqlMaxDepth), 'graphqlMaxDepth') : undefined,
          maxCost: o.graphqlMaxCost !== undefined ? parsePositiveInt(String(o.graphqlMaxCost), 'graphqlMaxCost') : undefined,
        },
      });
      await untilSignal();
      // A second signal while shutting down leaves at once.
      const force = () => process.exit(1);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      await running.close();
    });
}

/** `--trust-proxy`: "all", or a list of addresses and CIDR ranges. */
function proxiesOf(text: string): true | string[] {
  if (text.trim() === 'all') return true;
  const list = parseList(text, 'trustProxy');
  for (const entry of list) {
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry)) {
      throw new BatonError('invalid_argument', `trustProxy: "${entry}" is not an address or CIDR range (or use "all")`, {
        field: 'trustProxy',
      });
    }
  }
  return list;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
