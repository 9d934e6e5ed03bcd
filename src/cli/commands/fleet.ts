import { hostname } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { type GlobalOptions, serverOf, withBaton } from '../context.js';
import { formatFleet } from '../format-fleet.js';

type Opts = Record<string, unknown>;

export function registerFleetCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts & GlobalOptions => ({ ...globals(), ...opts });
  const fleet = program
    .command('fleet')
    .description(
      'run pools of workers from FILE (YAML or JSON): kept alive, restarted, sized by the queue (`fleet status`: what runs)',
    )
    .argument('<file>', 'fleet file: pools with name, capabilities, exec, min, max, concurrency, scale')
    .option('--quiet', "do not print the members' output")
    .action(async (file: string, opts: Opts) => {
      const o = g(opts);
      await withBaton(o, async (baton) => {
        const { readFleetFile } = await import('../../fleet/fleet-file.js');
        const { FleetSupervisor } = await import('../../fleet/supervisor.js');
        const { memberSpawner } = await import('../../fleet/spawn-member.js');
        const spec = readFleetFile(file);
        const log = (line: string) => process.stderr.write(`${line}\n`);
        const target = { db: o.db, server: serverOf(o), apiKey: o.apiKey ?? (process.env.BATON_TOKEN || undefined) };
        const supervisor = new FleetSupervisor({
          baton,
          spec,
          spawn: memberSpawner(target, opts.quiet ? undefined : log),
          clock: systemClock,
          id: `${hostname()}:${process.pid}`,
          log,
        });
        const stop = () => void supervisor.stop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        log(`fleet: ${spec.pools.map((p) => `${p.name} (${p.min}–${p.max})`).join(', ')}; Ctrl-C stops every member gracefully`);
        await supervisor.start();
      });
    });
  fleet
    .command('status')
    .description('the pools fleet supervisors run: members, target size, why it scaled, degraded or not')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const pools = await baton.fleetStatus();
        out.result(pools, () => formatFleet(pools));
      }),
    );
}
