import { BatonError } from '../core/errors.js';
import { type Resource, resourceSpecs } from '../core/resources.js';
import { parseWith, type SetResourceInput, setResourceSchema } from '../core/schemas.js';
import type { StoreTx } from '../store/store.js';
import type { AppContext } from './context.js';

/** Resources: their capacities, who holds them, and the capacity a task's resources must agree with. */

export function listResources(ctx: AppContext): Promise<Resource[]> {
  return ctx.store.listResources();
}

/** Sets a resource's capacity: the one way to change it once a task has named the resource. */
export async function setResource(ctx: AppContext, raw: SetResourceInput): Promise<Resource> {
  const input = parseWith(setResourceSchema, raw);
  await ctx.store.transaction(async (tx) => {
    const before = await tx.setResourceCapacity(input.name, input.capacity);
    await tx.appendEvent({
      taskId: null,
      workerId: null,
      actor: ctx.actor,
      type: 'resource_set',
      at: new Date(tx.now).toISOString(),
      changes: { capacity: [before, input.capacity] },
      data: { resource: input.name },
    });
  });
  const found = (await ctx.store.listResources()).find((r) => r.name === input.name);
  return found ?? { name: input.name, capacity: input.capacity, holders: [], waiting: 0 };
}

/**
 * Records the resources a task names (`name` or `name:N`): a new one takes the capacity stated,
 * or 1; a capacity stated for a known resource must be the one it has, or nothing is written.
 */
export async function requireResources(tx: StoreTx, list: readonly string[] | null | undefined): Promise<void> {
  const specs = resourceSpecs(list ?? []);
  const capacities = await tx.ensureResources(specs);
  for (const spec of specs) {
    const has = capacities.get(spec.name);
    if (spec.capacity !== null && has !== undefined && has !== spec.capacity) {
      throw new BatonError(
        'resource_conflict',
        `resource ${spec.name} has capacity ${has}, not ${spec.capacity}: name it without a capacity, or change it with \`baton resource set ${spec.name} ${spec.capacity}\``,
        { resource: spec.name, capacity: has, requested: spec.capacity },
      );
    }
  }
}
