import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BatonError } from '../../core/errors.js';
import { type GlobalOptions, withBaton } from '../context.js';
import { formatStatus, formatWorkers } from '../format.js';

type Opts = GlobalOptions & Record<string, unknown>;

const HOW_TO_WORK = [
  'Next steps:',
  '  baton add "Write the release notes" -p high -c docs      # create work',
  '  baton next --worker w1 --capabilities docs              # a worker claims the best task it can do',
  '  baton progress ID 50 --worker w1 --note "half way"      # report progress (renews the lease)',
  '  baton done ID --worker w1 --result \'{"ok":true}\'        # complete it',
  '  baton list · baton show ID · baton status · baton --help',
].join('\n');

/** Store and system commands. */
export function registerSystemCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });

  program
    .command('init')
    .description('create the store in .baton/ here (idempotent)')
    .action(async (opts: Opts) =>
      withBaton(
        g(opts),
        async (baton, out) => {
          const { store } = await baton.describe();
          out.result(
            { store: store.location, kind: store.kind },
            () => `Baton store ready at ${store.location}\n\n${HOW_TO_WORK}`,
          );
        },
        { here: true },
      ),
    );

  // `npm start`: the project's main job until the HTTP server exists.
  program
    .command('start', { hidden: true })
    .description('initialise the store and print the system status')
    .action(async (opts: Opts) =>
      withBaton(
        g(opts),
        async (baton, out) => {
          const status = await baton.status();
          out.result(status, () => `${formatStatus(status)}\n\n${HOW_TO_WORK}`);
        },
        { create: true },
      ),
    );

  program
    .command('status')
    .description('counts by status, queue depth, workers, throughput')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        await baton.expireLeases();
        const status = await baton.status();
        out.result(status, () => formatStatus(status));
      }),
    );

  program
    .command('workers')
    .description('registered workers, their health and load')
    .option('--available', 'only online workers without a task')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const workers = await baton.listWorkers({ available: Boolean(opts.available) });
        out.result(workers, () => formatWorkers(workers));
      }),
    );

  program
    .command('export')
    .description('write the whole store as JSON (to FILE or stdout)')
    .argument('[file]', 'output file')
    .action(async (file: string | undefined, opts: Opts) =>
      withBaton(g(opts), async (baton) => {
        const text = `${JSON.stringify(await baton.exportData())}\n`;
        // An export holds every task and the hashes of the API keys.
        if (file) writeFileSync(file, text, { mode: 0o600 });
        else process.stdout.write(text);
      }),
    );

  program
    .command('import')
    .description('load an export into an empty store (ids, dependencies, history, workers kept)')
    .argument('<file>', 'a file written by baton export')
    .action(async (file: string, opts: Opts) => {
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
        throw new BatonError('invalid_import', `${file}: ${reason}`, { file });
      }
      await withBaton(
        g(opts),
        async (baton, out) => {
          const summary = await baton.importData(data);
          out.result(summary, () => `imported ${summary.tasks} tasks, ${summary.events} events, ${summary.workers} workers`);
        },
        { create: true },
      );
    });
}
