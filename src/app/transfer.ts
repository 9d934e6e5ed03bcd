import { BatonError } from '../core/errors.js';
import { findAnyCycle } from '../core/graph.js';
import type { Task, TaskEvent } from '../core/types.js';

/** An export must be self-consistent before any row is written. */
export function assertDumpIntegrity(dump: { tasks: Task[]; events: TaskEvent[]; workers: { id: string }[] }): void {
  const ids = new Set<number>();
  for (const t of dump.tasks) {
    if (ids.has(t.id)) throw new BatonError('invalid_import', `tasks: id ${t.id} appears twice`);
    ids.add(t.id);
  }
  for (const t of dump.tasks) {
    for (const d of t.dependsOn) {
      if (!ids.has(d)) throw new BatonError('invalid_import', `tasks: task ${t.id} depends on missing task ${d}`);
    }
    for (const c of t.conditions) {
      if (!t.dependsOn.includes(c.on)) {
        throw new BatonError('invalid_import', `tasks: task ${t.id} has a condition on ${c.on}, which it does not depend on`);
      }
    }
    if (t.parentId !== null && !ids.has(t.parentId)) {
      throw new BatonError('invalid_import', `tasks: task ${t.id} has missing parent ${t.parentId}`);
    }
  }
  const cycle = findAnyCycle(dump.tasks.flatMap((t) => t.dependsOn.map((d) => [t.id, d] as const)));
  if (cycle) throw new BatonError('invalid_import', `tasks: dependencies form a cycle ${cycle.join(' -> ')}`);
  const eventIds = new Set<number>();
  for (const e of dump.events) {
    if (eventIds.has(e.id)) throw new BatonError('invalid_import', `events: id ${e.id} appears twice`);
    eventIds.add(e.id);
  }
  const workerIds = new Set<string>();
  for (const w of dump.workers) {
    if (workerIds.has(w.id)) throw new BatonError('invalid_import', `workers: id ${w.id} appears twice`);
    workerIds.add(w.id);
  }
}
