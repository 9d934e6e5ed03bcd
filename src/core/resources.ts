import { LIMITS } from './limits.js';

/**
 * Resources: names that limit how many tasks holding them execute at once. A task names its
 * resources (`db-migrations`, `db-migrations:2` to give the capacity when the resource is new);
 * each resource has one capacity (default 1), kept by the store beside the tasks. The tasks that
 * hold a resource are those `executing` that name it: nothing is counted apart, so whatever ends
 * an execution (completion, failure, release, lease expiry, pause, cancel) frees its slot.
 * Pure: parsing and the arithmetic of slots.
 */

/** A resource as a task names it: the name, and the capacity asked for (null: whatever it has, 1 if new). */
export interface ResourceSpec {
  name: string;
  capacity: number | null;
}

/** A resource as the store keeps it, with the tasks executing under it now. */
export interface Resource {
  name: string;
  capacity: number;
  /** Ids of the executing tasks that hold it. */
  holders: number[];
  /** Ready tasks (queued or reserved) that name it. */
  waiting: number;
}

/** The capacity of a resource nobody gave one. */
export const DEFAULT_RESOURCE_CAPACITY = 1;

const NAME = /^[A-Za-z0-9._/@-]+$/;

/** Reads `name` or `name:N`; a problem is a sentence saying what would have been accepted. */
export function readResourceSpec(text: string): ResourceSpec | { problem: string } {
  const at = text.lastIndexOf(':');
  const name = (at < 0 ? text : text.slice(0, at)).trim();
  const problem = resourceNameProblem(name);
  if (problem) return { problem };
  if (at < 0) return { name, capacity: null };
  const n = text.slice(at + 1).trim();
  const capacity = /^\d+$/.test(n) ? Number(n) : Number.NaN;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > LIMITS.resourceCapacity) {
    return { problem: `capacity of ${name} must be a whole number from 1 to ${LIMITS.resourceCapacity} (got "${n}")` };
  }
  return { name, capacity };
}

/** A spec as text: `name`, or `name:N`. */
export function resourceText(spec: ResourceSpec): string {
  return spec.capacity === null ? spec.name : `${spec.name}:${spec.capacity}`;
}

/** The specs of a list already validated by the schema (`resourcesSchema`). */
export function resourceSpecs(list: readonly string[]): ResourceSpec[] {
  return list.map(readResourceSpec).filter((s): s is ResourceSpec => !('problem' in s));
}

/** Why `name` is not a resource name, or null. */
export function resourceNameProblem(name: string): string | null {
  if (name.length === 0) return 'a resource name must not be empty';
  if (name.length > LIMITS.nameChars) return `a resource name must be at most ${LIMITS.nameChars} characters`;
  if (!NAME.test(name)) return 'a resource name may contain only letters, digits and . _ / @ -';
  return null;
}

/** The resources of `names` that have no free slot, given the resources as they stand. */
export function fullResources(names: readonly string[], resources: ReadonlyMap<string, Resource>): string[] {
  return names.filter((n) => {
    const r = resources.get(n);
    return r !== undefined && r.holders.length >= r.capacity;
  });
}
