import { execFile } from 'node:child_process';
import type { Baton } from '../app/baton.js';
import { AUCTION_HOLDER } from '../core/assignment.js';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import { bidSchema } from '../core/schemas.js';
import type { Task } from '../core/types.js';

/** How often the bidder looks for auctions, in ms: well inside the shortest useful window. */
const LOOK_EVERY_MS = 250;
/** A bid hook taking longer is abandoned (no bid): the auction would close meanwhile. */
const HOOK_TIMEOUT_MS = 10_000;
/** Refusals that will not change for this auction: the task is not asked about again. */
const FINAL = new Set(['not_in_auction', 'auction_closed', 'incapable_worker', 'task_not_found', 'invalid_argument']);

export interface BidderOptions {
  workerId: string;
  capabilities: readonly string[];
  /** Only tasks of these queues (the worker's `--queues`); all when absent. */
  queues?: readonly string[] | undefined;
  /** The hook: a shell command reading the task as JSON on stdin, printing a score or `{score, etaSeconds?, note?}`. */
  command: string;
  cwd: string;
  env: Record<string, string>;
  clock: Clock;
  /** Told of each bid placed, and of each hook that failed. */
  onBid?(taskId: number, outcome: { score: number } | { error: string }): void;
}

/**
 * A worker's `--bid CMD`: looks for tasks being auctioned that it can do, asks the hook how well
 * placed it is, and bids what the hook says. A hook that exits non-zero or prints nothing declines.
 */
export class Bidder {
  /** Auctions already answered, by task id and the time its auction opened. */
  private readonly answered = new Set<string>();

  constructor(
    private readonly baton: Baton,
    private readonly o: BidderOptions,
  ) {}

  /** Looks every LOOK_EVERY_MS until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.lookOnce().catch(() => undefined);
      await this.o.clock.sleep(LOOK_EVERY_MS, signal).catch(() => undefined);
    }
  }

  /** One look: bids in every open auction this worker can take and has not answered. */
  async lookOnce(): Promise<void> {
    const { tasks } = await this.baton.listTasks({ status: ['assigned'], limit: 1000 });
    for (const task of tasks.filter((t) => this.biddable(t))) await this.answer(task);
  }

  private biddable(task: Task): boolean {
    if (task.reservedFor !== AUCTION_HOLDER || this.answered.has(keyOf(task))) return false;
    if (this.o.queues && !this.o.queues.includes(task.queue)) return false;
    return task.capabilities.every((c) => this.o.capabilities.includes(c));
  }

  private async answer(task: Task): Promise<void> {
    const said = await this.ask(task);
    if (said === null) {
      this.answered.add(keyOf(task));
      return;
    }
    try {
      const bid = await this.baton.bid(task.id, { workerId: this.o.workerId, ...said });
      this.answered.add(keyOf(task));
      this.o.onBid?.(task.id, { score: bid.score });
    } catch (err) {
      const code = err instanceof BatonError ? err.code : (err as { code?: string }).code;
      if (code && FINAL.has(code)) this.answered.add(keyOf(task));
      this.o.onBid?.(task.id, { error: (err as Error).message });
    }
  }

  /** What the hook says of the task: a bid, or null when it declines (or fails). */
  private ask(task: Task): Promise<{ score: number; etaSeconds?: number; note?: string } | null> {
    return new Promise((resolve) => {
      const child = execFile(
        '/bin/sh',
        ['-c', this.o.command],
        { cwd: this.o.cwd, env: this.o.env, timeout: HOOK_TIMEOUT_MS, maxBuffer: 64 * 1024 },
        (err, stdout) => resolve(err ? null : readBid(stdout)),
      );
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(JSON.stringify(task));
    });
  }
}

/** The hook's answer: a bare number, or JSON `{score, etaSeconds, note}`; anything else declines. */
export function readBid(output: string): { score: number; etaSeconds?: number; note?: string } | null {
  const text = output.trim();
  if (text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = bidSchema.omit({ workerId: true }).safeParse(typeof value === 'number' ? { score: value } : value);
  if (!parsed.success) return null;
  const { score, etaSeconds, note } = parsed.data;
  return { score, ...(etaSeconds !== undefined && { etaSeconds }), ...(note !== undefined && { note }) };
}

const keyOf = (task: Task) => `${task.id}@${task.readyAt ?? ''}`;
