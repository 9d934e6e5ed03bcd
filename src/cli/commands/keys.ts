import type { Command } from 'commander';
import { BatonError } from '../../core/errors.js';
import type { ApiKeyRole } from '../../store/store.js';
import { type GlobalOptions, makeOutput, serverOf } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton keys`: API keys of the server, managed on the store directly. */
export function registerKeyCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('API keys for `baton serve` (roles: admin, worker, viewer)');

  keys
    .command('create')
    .description('create a key; it is shown once')
    .requiredOption('--role <role>', 'admin | worker | viewer')
    .option('--worker <id>', 'for a worker key: the one worker it acts as')
    .option('--name <name>', 'a label, recorded as the actor of its changes')
    .action(async (opts: Opts) =>
      withStore(opts, async (store, out) => {
        const { createKey } = await import('../../server/keys.js');
        const { key, record } = await createKey(store, {
          role: String(opts.role) as ApiKeyRole,
          workerId: opts.worker as string | undefined,
          name: opts.name as string | undefined,
        });
        out.result({ key, ...withoutHash(record) }, () =>
          [
            `created ${record.role} key ${record.id}${record.workerId ? ` for worker ${record.workerId}` : ''}`,
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
      withStore(opts, async (store, out) => {
        const all = (await store.listKeys()).map(withoutHash);
        out.result(all, () =>
          all.length === 0
            ? 'no keys: `baton serve` listens on loopback only'
            : all
                .map(
                  (k) =>
                    `${k.id}  ${k.role.padEnd(6)}  ${(k.workerId ?? '').padEnd(16)}  ${(k.name ?? '').padEnd(16)}  ${k.revokedAt ? `revoked ${k.revokedAt}` : `created ${k.createdAt}`}`,
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
      withStore(opts, async (store, out) => {
        const { revokeKey } = await import('../../server/keys.js');
        await revokeKey(store, id);
        out.result({ id, revoked: true }, () => `revoked key ${id}`);
      }),
    );

  async function withStore<T>(
    opts: Opts,
    fn: (store: import('../../store/store.js').Store, out: ReturnType<typeof makeOutput>) => Promise<T>,
  ): Promise<T> {
    const o = { ...globals(), ...opts };
    if (serverOf(o)) {
      throw new BatonError('usage', 'keys: manage keys where the store is (--db), not through --server');
    }
    const { openBaton } = await import('../../app/open.js');
    const baton = await openBaton({ db: o.db });
    try {
      return await fn(baton.store, makeOutput(Boolean(o.json)));
    } finally {
      await baton.close();
    }
  }
}

function withoutHash<T extends { hash: string }>(record: T): Omit<T, 'hash'> {
  const { hash: _hash, ...rest } = record;
  return rest;
}
