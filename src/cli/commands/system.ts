import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ANALYTICS_RANGES, type AnalyticsRange } from '../../core/analytics.js';
import { BatonError } from '../../core/errors.js';
import { parseTaskId } from '../../core/values.js';
import { ExitSignal, type GlobalOptions, serverOf, withBaton } from '../context.js';
import { formatStatus, formatWorkers } from '../format.js';
import { formatAnalytics, formatBurndown, formatWorkerDetail } from '../format-insights.js';
import { printLoad } from './teams.js';

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
    .command('migrate')
    .description(
      "bring the store's schema up to this Baton's version and print it (every command does this on opening; run it alone before rolling out replicas)",
    )
    .option('--init', 'create the store when there is none')
    .action(async (opts: Opts) => {
      const o = g(opts);
      if (serverOf(o))
        throw new BatonError(
          'usage',
          'migrate: runs on a store (--db), not through a server; a server migrates its store when it starts',
        );
      await withBaton(
        o,
        async (baton, out) => {
          const { schema, store } = await baton.describe();
          const newest = schema.migrations.at(-1);
          out.result(
            { store, ...schema },
            () =>
              `${store.kind} store ${store.location}: schema version ${schema.version} (${schema.migrations.length} migrations${newest ? `; the newest, ${newest.name}, applied ${newest.appliedAt}` : ''})`,
          );
        },
        { create: o.init === true },
      );
    });

  program
    .command('health')
    .description('whether the store (or the --server and its store) answers and takes writes; exit 1 when not')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const health = await baton.health();
        out.result(health, () =>
          health.ok
            ? `ok: the ${health.store} store answers and takes writes (its clock: ${health.at})`
            : `NOT OK: ${health.problem?.message ?? 'the store does not take writes'}${health.problem ? ` (${health.problem.code}, since ${health.problem.since})` : ''}`,
        );
        if (!health.ok) throw new ExitSignal(1);
      }),
    );

  program
    .command('metrics')
    .description(
      "the Prometheus metrics: a --server's own (counters since it started), or, on a store, the gauges read from it (tasks, ready work, workers)",
    )
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const { RemoteBaton } = await import('../../client/remote-baton.js');
        if (baton instanceof RemoteBaton) {
          if (out.json) out.result(samplesOf(await baton.metricsJson()), () => '');
          else process.stdout.write(`${(await baton.metricsText()).trimEnd()}\n`);
          return;
        }
        const { Metrics } = await import('../../server/metrics.js');
        const { registry } = new Metrics(baton);
        // Counters and histograms count what a server saw; a store alone has only its gauges.
        const gauges = (await registry.getMetricsAsJSON()).filter((m) => String(m.type) === 'gauge');
        if (out.json) {
          out.result(samplesOf(gauges), () => '');
          return;
        }
        const texts = await Promise.all(gauges.map((m) => registry.getSingleMetricAsString(m.name)));
        process.stdout.write(`${texts.join('\n\n')}\n`);
      }),
    );

  const workers = program
    .command('workers')
    .description('registered workers, their health and load (`workers show ID`: one worker)')
    .option('--available', 'only online workers without a task')
    .option('--load', 'per worker: running, reserved, done in the last hour, success rate, the ready work it could serve')
    .action(async (opts: Opts) => {
      if (opts.load) return printLoad(g(opts));
      return withBaton(g(opts), async (baton, out) => {
        const workers = await baton.listWorkers({ available: Boolean(opts.available) });
        out.result(workers, () => formatWorkers(workers));
      });
    });
  workers
    .command('show')
    .description('one worker: the tasks it holds or is reserved for, its newest finished tasks, its success rate')
    .argument('<id>', 'worker id')
    .action(async (id: string, opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const detail = await baton.showWorker(id);
        out.result(detail, () => formatWorkerDetail(detail));
      }),
    );

  program
    .command('analytics')
    .description('finished work over a time range: throughput, waits, run times, failure rate, by capability, tag and worker')
    .option('--range <range>', `how far back: ${ANALYTICS_RANGES.join(', ')}`, '24h')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const analytics = await baton.analytics({ range: String(opts.range) as AnalyticsRange });
        out.result(analytics, () => formatAnalytics(analytics));
      }),
    );

  program
    .command('burndown')
    .description("an epic's burndown: its leaves not done, and their estimates, at each moment since it began")
    .argument('<id>', 'task id of the epic')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const burndown = await baton.burndown(taskId);
        out.result(burndown, () => formatBurndown(burndown));
      });
    });

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

/** prom-client's metrics as JSON samples: one `{ name, labels, value }` per series, in order. */
function samplesOf(
  metrics: readonly { name: string; values: readonly { metricName?: string; labels: object; value: number }[] }[],
): { name: string; labels: Record<string, string>; value: number }[] {
  return metrics.flatMap((m) =>
    m.values.map((v) => ({
      name: v.metricName ?? m.name,
      labels: Object.fromEntries(Object.entries(v.labels).map(([k, l]) => [k, String(l)])),
      value: v.value,
    })),
  );
}
