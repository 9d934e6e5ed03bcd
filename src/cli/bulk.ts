import type { Baton, BulkInput, BulkResult, TaskFilter } from '../app/baton.js';
import { BatonError, invalid } from '../core/errors.js';
import { parsePriority, parseStatus, parseTaskId } from '../core/values.js';
import { ExitSignal, type Output } from './context.js';
import { formatTaskLine } from './format.js';

/** Several tasks at once from the CLI: `--where` filters, the count, the question, one bulk call. */

const WHERE_KEYS = ['status', 'priority', 'tag', 'capability', 'worker', 'parent', 'q', 'open', 'parents'] as const;

/**
 * `--where status=failed,tag=nightly`: filters joined by commas, each `key=value`; a key given
 * twice takes either value (`status=failed,status=cancelled`). Keys: status, priority, tag,
 * capability, worker, parent, q (words of the title or description), open, parents (true: tasks
 * broken into subtasks; false: tasks without any).
 */
export function parseWhere(raw: string): TaskFilter {
  const where: TaskFilter = {};
  const list = <T>(old: readonly T[] | undefined, value: T): T[] => [...(old ?? []), value];
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw invalid('where', 'expected filters such as status=failed,tag=nightly');
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (key === 'open' && (value === '' || value === 'true')) {
      where.open = true;
      continue;
    }
    if (key === 'parents' && ['', 'true', 'false'].includes(value)) {
      where.parents = value !== 'false';
      continue;
    }
    if (!(WHERE_KEYS as readonly string[]).includes(key)) {
      throw invalid('where', `unknown filter "${key}" (expected ${WHERE_KEYS.join(', ')})`);
    }
    if (value === '') throw invalid('where', `"${part}": expected ${key}=VALUE`);
    if (key === 'status') where.status = list(where.status, parseStatus(value, 'where'));
    else if (key === 'priority') where.priority = list(where.priority, parsePriority(value, 'where'));
    else if (key === 'capability') where.capability = list(where.capability, value);
    else if (key === 'parent') where.parentId = parseTaskId(value, 'where');
    else if (key === 'tag') where.tag = value;
    else if (key === 'worker') where.worker = value;
    else if (key === 'q') where.q = value;
    else if (key === 'parents') throw invalid('where', `"${part}": parents takes true or false`);
    else throw invalid('where', `"${part}": open takes no value`);
  }
  return where;
}

/** Whether a command's arguments ask for a bulk change: several ids, or `--where`. */
export function isBulk(ids: readonly string[], where: unknown): boolean {
  return ids.length > 1 || where !== undefined;
}

/** The ids or the filter of a bulk change, from the command line (one of them, not both). */
export function selection(ids: readonly string[], where: unknown): Pick<BulkInput, 'ids' | 'where'> {
  if (ids.length > 0 && where !== undefined) throw new BatonError('usage', 'give task ids or --where, not both');
  if (where !== undefined) return { where: parseWhere(String(where)) };
  if (ids.length === 0) throw new BatonError('usage', 'give one or more task ids, or --where');
  return { ids: ids.map((id) => parseTaskId(id)) };
}

/**
 * Checks the change (a dry run), says how many tasks it touches, asks (unless `--yes`), then makes
 * it in one transaction. Without a terminal to ask at, and without `--yes`, refuses.
 */
export async function runBulk(
  baton: Baton,
  out: Output,
  input: BulkInput,
  opts: { yes?: unknown; json?: boolean | undefined },
): Promise<void> {
  const plan = await baton.bulk({ ...input, dryRun: true });
  if (plan.count === 0) {
    out.result(plan, () => `no task matches: nothing to ${input.action}`);
    return;
  }
  const question = `${input.action} ${plan.count} task${plan.count === 1 ? '' : 's'} (${preview(plan)})`;
  if (opts.yes !== true) {
    if (opts.json || !process.stdin.isTTY || !process.stdout.isTTY) {
      throw new BatonError('confirmation_required', `${question}? pass --yes to confirm`, { count: plan.count });
    }
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const answer = await rl.question(`${question}? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) throw new ExitSignal(1);
    } finally {
      rl.close();
    }
  }
  const done = await baton.bulk(input.ids ? input : { ...input, where: undefined, ids: plan.ids });
  out.result(done, () =>
    [`${pastTense(input.action)} ${done.count} task${done.count === 1 ? '' : 's'}`, ...done.tasks.map(formatTaskLine)].join('\n'),
  );
}

function preview(plan: BulkResult): string {
  const shown = plan.ids.slice(0, 10).map((id) => `#${id}`);
  return plan.ids.length > 10 ? `${shown.join(', ')}, …` : shown.join(', ');
}

function pastTense(action: BulkInput['action']): string {
  return { cancel: 'cancelled', retry: 'requeued', pause: 'paused', resume: 'resumed', update: 'updated' }[action];
}
