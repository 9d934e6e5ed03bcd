import type { Command } from 'commander';
import { LIMITS } from '../../core/limits.js';
import type { Resource } from '../../core/resources.js';
import { parsePositiveInt } from '../../core/values.js';
import { type GlobalOptions, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `--resource` of add and update: repeatable, each comma-separated; empty entries are kept for the app to refuse. */
export function collectResources(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim())];
}

function formatResources(resources: Resource[]): string {
  if (resources.length === 0) return 'no resources';
  return resources
    .map((r) => {
      const holders = r.holders.length > 0 ? ` (${r.holders.map((id) => `#${id}`).join(', ')})` : '';
      return `${r.name}  ${r.holders.length}/${r.capacity} executing${holders}, ${r.waiting} waiting`;
    })
    .join('\n');
}

/** `baton resource list|set`: capacities of resources and who holds them. */
export function registerResourceCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });
  const resource = program.command('resource').description('resources: how many tasks holding each may execute at once');
  resource
    .command('list')
    .description('resources, their capacity, the executing tasks holding them and how many wait')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const resources = await baton.listResources();
        out.result(resources, () => formatResources(resources));
      }),
    );
  resource
    .command('set')
    .description('set how many tasks holding a resource may execute at once')
    .argument('<name>', 'resource name')
    .argument('<capacity>', `1 to ${LIMITS.resourceCapacity}`)
    .action(async (name: string, capacity: string, opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const set = await baton.setResource({ name, capacity: parsePositiveInt(capacity, 'capacity', LIMITS.resourceCapacity) });
        out.result(set, () => formatResources([set]));
      }),
    );
}
