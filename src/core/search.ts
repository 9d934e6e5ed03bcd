/**
 * Text search over tasks: what counts as a word of a query, shared by both stores so that they
 * match alike (each word of the query is a prefix of a word of the title or description).
 */

/** The words of a search query, lower-cased: runs of letters and digits (at most 16). */
export function searchWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 16);
}

/** How a task list is ordered. `created` is id order; `claim` the order workers receive tasks. */
export const TASK_SORTS = ['claim', 'priority', 'created', 'updated'] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

/** The statuses `open` leaves out: work that is over and needs nobody. */
export const CLOSED_STATUSES = ['completed', 'cancelled', 'skipped'] as const;
