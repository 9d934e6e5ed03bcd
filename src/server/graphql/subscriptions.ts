import type { Baton } from '../../app/baton.js';
import { BatonError } from '../../core/errors.js';
import { parseWith } from '../../core/schemas.js';
import type { TaskEvent } from '../../core/types.js';
import { streamQuery } from '../http-schemas.js';
import type { StreamFilter, StreamHub } from '../sse.js';

/** Events a subscriber may have waiting before it is dropped as too slow (it resumes with `after`). */
const MAX_QUEUED = 10_000;

export interface SubscriptionDeps {
  streams: StreamHub;
  /** Where a subscription without `after` starts: the feed's watermark. */
  startAt: () => number;
  /** Whether the subscriber's key still holds (asked every second, as for SSE). */
  stillAllowed: (ctx: SubscriberContext) => Promise<boolean>;
}

export interface SubscriberContext {
  baton: Baton;
}

interface EventArgs {
  taskId?: number | null;
  runId?: number;
  types?: string[] | null;
  after?: number | null;
}

/** `taskEvents` and `runEvents`: followers of the event feed, as the SSE stream and the WebSocket are. */
export function subscriptionResolvers(deps: SubscriptionDeps) {
  return {
    taskEvents: {
      subscribe: (_root: unknown, args: EventArgs, ctx: SubscriberContext) => {
        const filter = { taskId: checkedTaskId(args.taskId), types: typesOf(args.types) };
        return follow(deps, args.after, filter, 'taskEvents', () => deps.stillAllowed(ctx));
      },
      resolve: (payload: { taskEvents: TaskEvent }) => payload.taskEvents,
    },
    runEvents: {
      subscribe: async (_root: unknown, args: EventArgs, ctx: SubscriberContext) => {
        const runId = args.runId as number;
        const run = await ctx.baton.getRun(runId);
        const tasks = new Set(run.tasks.map((t) => t.id));
        // A step's task is created with `run` in its event; from then on its events are the run's.
        const accept = (e: TaskEvent) => {
          const ofRun = e.data?.run === runId || e.data?.parentRun === runId;
          if (ofRun && e.taskId !== null) tasks.add(e.taskId);
          return ofRun || (e.taskId !== null && tasks.has(e.taskId));
        };
        return follow(deps, args.after, { types: typesOf(args.types), accept }, 'runEvents', () => deps.stillAllowed(ctx));
      },
      resolve: (payload: { runEvents: TaskEvent }) => payload.runEvents,
    },
  };
}

function checkedTaskId(taskId: number | null | undefined): number | undefined {
  if (taskId === null || taskId === undefined) return undefined;
  return parseWith(streamQuery.shape.taskId, String(taskId), { what: 'taskId' });
}

function typesOf(types: string[] | null | undefined): ReadonlySet<string> | undefined {
  return types && types.length > 0 ? new Set(types) : undefined;
}

/** An async iterator over a follower of the feed; ending it (the client unsubscribes) ends the follower. */
function follow(
  deps: SubscriptionDeps,
  after: number | null | undefined,
  filter: StreamFilter,
  field: string,
  stillAllowed: () => Promise<boolean>,
): AsyncIterableIterator<Record<string, TaskEvent>> {
  const queue: TaskEvent[] = [];
  let waiting: ((result: IteratorResult<Record<string, TaskEvent>>) => void) | null = null;
  let failure: ((err: Error) => void) | null = null;
  let ended: 'slow' | 'ended' | null = null;
  let leave: (() => void) | null = null;
  const wake = () => {
    if (!waiting) return;
    const resolve = waiting;
    waiting = null;
    failure = null;
    const next = queue.shift();
    resolve(next ? { value: { [field]: next }, done: false } : { value: undefined, done: true });
  };
  void deps.streams.follow(
    {
      send: (events) => {
        queue.push(...events);
        wake();
      },
      heartbeat: () => {},
      buffered: () => queue.length,
      maxBuffered: MAX_QUEUED,
      close: (reason) => {
        ended = reason;
        if (reason === 'slow' && failure) failure(tooSlow());
        else wake();
      },
      onGone: (listener) => {
        leave = listener;
      },
    },
    after ?? deps.startAt(),
    filter,
    stillAllowed,
  );
  const iterator: AsyncIterableIterator<Record<string, TaskEvent>> = {
    next: () => {
      const event = queue.shift();
      if (event) return Promise.resolve({ value: { [field]: event }, done: false });
      if (ended === 'slow') return Promise.reject(tooSlow());
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failure = reject;
      });
    },
    return: () => {
      (leave as (() => void) | null)?.();
      ended ??= 'ended';
      wake();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

function tooSlow(): BatonError {
  return new BatonError('rate_limited', `more than ${MAX_QUEUED} events waited for this subscriber: subscribe again with after`, {
    limit: MAX_QUEUED,
  });
}
