import type { Command } from 'commander';
import { BatonError } from '../../core/errors.js';
import type { ApiKey, ApiKeyRole, KeyCapability } from '../../core/types.js';
import { parseList } from '../../core/values.js';
import { type GlobalOptions, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton keys`: API keys of the server, on the store (`--db`) or through an admin key (`--server`). */
export function registerKeyCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('API keys for `baton serve` (roles: admin, worker, viewer)');

  keys
    .command('create')
    .description('create a key; it is shown once')
    .requiredOption('--role <role>', 'admin | worker | viewer')
    .option('--worker <id>', 'for a worker key: the one worker it acts as')
    .option('--name <name>', 'a label, recorded as the actor of its changes')
    .option(
      '--capabilities <list>',
      'admin keys only: `commands` lets the key set task commands — whoever can set commands can run code on every worker that runs task commands',
    )
    .option(
      '--from-env <VAR>',
      'store the key held by this environment variable (baton_<id>_<secret>, made by you) instead of a new one; again with the same key: no change',
    )
    .action(async (opts: Opts) =>
      withBaton(o(opts), async (baton, out) => {
        const fromEnv = opts.fromEnv === undefined ? undefined : String(opts.fromEnv);
        const chosen = fromEnv === undefined ? undefined : process.env[fromEnv];
        if (fromEnv !== undefined && !chosen) {
          throw new BatonError('usage', `--from-env ${fromEnv}: the environment variable is not set`);
        }
        const { key, record } = await baton.createKey({
          ...(chosen !== undefined && { key: chosen }),
          role: String(opts.role) as ApiKeyRole,
          workerId: opts.worker as string | undefined,
          name: opts.name as string | undefined,
          capabilities:
            opts.capabilities !== undefined
              ? (parseList(String(opts.capabilities), 'capabilities') as KeyCapability[])
              : undefined,
        });
        const grants = record.capabilities.length > 0 ? ` that may set ${record.capabilities.join(', ')}` : '';
        if (chosen !== undefined) {
          // The key came from the environment: never echo it.
          out.result(record, () => `stored ${record.role} key ${record.id} from ${fromEnv}${grants}`);
          return;
        }
        out.result({ key, ...record }, () =>
          [
            `created ${record.role} key ${record.id}${record.workerId ? ` for worker ${record.workerId}` : ''}${grants}`,
            `  ${key}`,
            'Keep it now: it is stored hashed and cannot be shown again.',
          ].join('\n'),
        );
      }),
    );

  keys
    .command('list')
    .description('keys, their roles and whether they are revoked (never the keys themselves)')
    .action(async (opts: Opts) =>
      withBaton(o(opts), async (baton, out) => {
        const all: ApiKey[] = await baton.listKeys();
        out.result(all, () =>
          all.length === 0
            ? 'no keys: `baton serve` listens on loopback only'
            : all
                .map(
                  (k) =>
                    `${k.id}  ${k.role.padEnd(6)}  ${(k.workerId ?? '').padEnd(16)}  ${(k.name ?? '').padEnd(16)}  ${k.capabilities.join(',').padEnd(8)}  ${k.revokedAt ? `revoked ${k.revokedAt}` : `created ${k.createdAt}`}`,
                )
                .join('\n'),
        );
      }),
    );

  keys
    .command('revoke')
    .description('revoke a key (servers stop accepting it within seconds)')
    .argument('<id>', 'key id, as `keys list` shows it')
    .action(async (id: string, opts: Opts) =>
      withBaton(o(opts), async (baton, out) => {
        await baton.revokeKey(id);
        out.result({ id, revoked: true }, () => `revoked key ${id}`);
      }),
    );

  const o = (opts: Opts): GlobalOptions => ({ ...globals(), ...opts });
}
