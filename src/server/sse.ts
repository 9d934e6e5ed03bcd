import type { ServerResponse } from 'node:http';
import type { Baton } from '../app/baton.js';
import type { TaskEvent } from '../core/types.js';
import type { EventFeed } from './event-feed.js';

const BACKLOG_BATCH = 500;
/** A client this far behind (bytes queued in its socket) is dropped; it resumes by Last-Event-ID. */
const MAX_BUFFERED = 8 * 1024 * 1024;
/**
 * How often an open stream asks again whether its key still holds. Keys are cached for 2 s, so a
 * revoked key's stream ends within about 3 s of the revocation, on every replica.
 */
const RECHECK_MS = 1_000;

export interface StreamFilter {
  taskId?: number | undefined;
  types?: ReadonlySet<string> | undefined;
  /** Any further test an event must pass (a run's events). */
  accept?: ((e: TaskEvent) => boolean) | undefined;
}

/** Where a follower's events go: an SSE response, a WebSocket, a GraphQL subscription. */
export interface EventSink {
  /** Sends these events (already filtered), in order. */
  send(events: readonly TaskEvent[]): void;
  /** Tells the client the stream is alive. */
  heartbeat(): void;
  /** Bytes queued for the client and not yet sent: too many, and the client is dropped. */
  buffered(): number;
  /** How many bytes are too many for this client (default: the hub's). */
  maxBuffered?: number;
  /** Ends the stream: `slow` when the client fell too far behind, `ended` otherwise. */
  close(reason: 'slow' | 'ended'): void;
  /** Calls `listener` once when the client goes away. */
  onGone(listener: () => void): void;
}

/**
 * Followers of the event feed: Server-Sent Event streams, WebSockets and GraphQL subscriptions.
 * A client resuming after an id first gets the backlog from the store, up to the feed's
 * watermark, then the live feed; events arriving meanwhile wait in a buffer, so nothing is missed
 * or sent twice, and ids only grow. A client that falls behind by more than `maxBuffered` bytes is
 * dropped (it resumes by id) and never holds back the others.
 */
export class StreamHub {
  private readonly streams = new Set<(reason?: 'slow' | 'ended') => void>();

  constructor(
    private readonly baton: Baton,
    private readonly feed: EventFeed,
    private readonly heartbeatMs: number,
    private readonly recheckMs = RECHECK_MS,
    private readonly maxBuffered = MAX_BUFFERED,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** Streams events after `afterId` to `res` for as long as `stillAllowed` (asked every second) holds. */
  async open(
    res: ServerResponse,
    afterId: number,
    filter: StreamFilter,
    headers: Record<string, string>,
    stillAllowed: () => Promise<boolean> = async () => true,
  ): Promise<void> {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n: connected\n\n');
    await this.follow(sseSink(res), afterId, filter, stillAllowed);
  }

  /**
   * Sends `sink` the events after `afterId` that pass `filter`, then every new one, until the
   * client goes away, falls too far behind, `stillAllowed` fails, or the server closes.
   * Resolves once the backlog is sent (the stream goes on).
   */
  async follow(
    sink: EventSink,
    afterId: number,
    filter: StreamFilter,
    stillAllowed: () => Promise<boolean> = async () => true,
  ): Promise<void> {
    let live = false;
    const pending: TaskEvent[] = [];
    let sent = afterId;
    const send = (events: readonly TaskEvent[]) => {
      const out: TaskEvent[] = [];
      for (const e of events) {
        if (e.id <= sent) continue;
        sent = e.id;
        if (matches(e, filter)) out.push(e);
      }
      if (out.length > 0) sink.send(out);
      if (sink.buffered() > (sink.maxBuffered ?? this.maxBuffered)) end('slow');
    };
    const unsubscribe = this.feed.subscribe((events) => {
      if (live) send(events);
      else pending.push(...events);
    });
    const heartbeat = setInterval(() => sink.heartbeat(), this.heartbeatMs);
    let checking = false;
    const recheck = setInterval(() => {
      if (checking) return;
      checking = true;
      void stillAllowed()
        .then((allowed) => {
          if (!allowed) end();
        })
        .finally(() => {
          checking = false;
        });
    }, this.recheckMs);
    const end = (reason: 'slow' | 'ended' = 'ended') => {
      if (!this.streams.delete(end)) return;
      clearInterval(heartbeat);
      clearInterval(recheck);
      unsubscribe();
      sink.close(reason);
    };
    this.streams.add(end);
    sink.onGone(() => end());
    try {
      await this.backlog(afterId, send, () => !this.streams.has(end));
    } catch {
      end();
      return;
    }
    // Ended meanwhile (client gone, key revoked, shutdown): nothing more may be written.
    if (!this.streams.has(end)) return;
    live = true;
    send(pending);
    pending.length = 0;
  }

  /** Ends every stream (shutdown): clients reconnect, to another replica or after the restart. */
  closeAll(): void {
    for (const end of [...this.streams]) end();
  }

  private async backlog(afterId: number, send: (events: readonly TaskEvent[]) => void, gone: () => boolean): Promise<void> {
    let position = afterId;
    while (!gone()) {
      // Only up to the watermark: past it an id may still be missing, and the live feed covers it.
      const watermark = this.feed.watermark;
      if (position >= watermark) return;
      const batch = await this.baton.events({ afterId: position, limit: BACKLOG_BATCH });
      const safe = batch.filter((e) => e.id <= watermark);
      send(safe);
      if (safe.length === 0) return;
      position = (safe.at(-1) as TaskEvent).id;
      if (safe.length < batch.length) return;
    }
  }
}

function matches(e: TaskEvent, filter: StreamFilter): boolean {
  if (filter.taskId !== undefined && e.taskId !== filter.taskId) return false;
  if (filter.types && !filter.types.has(e.type)) return false;
  return !filter.accept || filter.accept(e);
}

function sseSink(res: ServerResponse): EventSink {
  return {
    send(events) {
      let chunk = '';
      for (const e of events) chunk += `id: ${e.id}\ndata: ${JSON.stringify(e)}\n\n`;
      if (!res.writableEnded) res.write(chunk);
    },
    heartbeat: () => res.write(': keep-alive\n\n'),
    buffered: () => res.writableLength,
    close: () => {
      if (!res.destroyed) res.end();
    },
    onGone: (listener) => res.on('close', listener),
  };
}
