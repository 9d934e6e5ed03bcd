/**
 * What a subtask requires. A subtask must stay claimable by whoever could claim its parent, so by
 * default it needs exactly the parent's capabilities: the labels a pattern step or an external
 * planner proposes (`database`, `testing`, …) are names of kinds of work, not capabilities any
 * worker of this store is known to have, and are never added on their own.
 *
 * A store may map such a label to capabilities of its own (`breakdown.capabilities` of the config):
 * `database: [sql]` makes the subtasks labelled `database` need `sql` instead of everything the
 * parent needs (narrowing), `testing: [qa]` hands them to `qa` workers (renaming). A label the map
 * does not name is ignored.
 */
export type CapabilityMap = Readonly<Record<string, readonly string[]>>;

export function subtaskCapabilities(
  parent: readonly string[] | undefined,
  proposed: readonly string[] | undefined,
  map: CapabilityMap | undefined,
): string[] {
  const mapped = (proposed ?? []).filter((label) => map !== undefined && Object.hasOwn(map, label));
  if (mapped.length === 0) return [...new Set(parent ?? [])];
  return [...new Set(mapped.flatMap((label) => map?.[label] ?? []))];
}
