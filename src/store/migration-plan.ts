/** A numbered schema change of one backend (see `sqlite/migrations.ts`, `postgres/migrations.ts`). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The listed migrations a store has not recorded, in version order: every missing version, not
 * only those above the highest recorded one. A store can hold a later version without an earlier
 * one — two versions released out of order, or a version added below one a store already has —
 * and skipping the gap would leave it without tables its code reads.
 */
export function pendingMigrations(listed: readonly Migration[], recorded: Iterable<number>): Migration[] {
  const applied = new Set(recorded);
  return listed.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
}

/** The highest version recorded (0 for none): above the newest listed, the store is from a newer Baton. */
export function newestRecorded(recorded: Iterable<number>): number {
  return Math.max(0, ...recorded);
}
