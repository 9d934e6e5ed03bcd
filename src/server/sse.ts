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
}

/**
 * Server-Sent Event streams. A client resuming after an id first gets the backlog from the store,
 * up to the feed's watermark, then the live feed; events arriving meanwhile wait in a buffer, so
 * nothing is missed or sent twice, and ids only grow.
 */
export class StreamHub {
  private readonly streams = new Set<() => void>();

  constructor(
    private readonly baton: Baton,
    private readonly feed: EventFeed,
    private readonly heartbeatMs: number,
    private readonly recheckMs = RECHECK_MS,
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
    let live = false;
    const pending: TaskEvent[] = [];
    let sent = afterId;
    const send = (events: readonly TaskEvent[]) => {
      let chunk = '';
      for (const e of events) {
        if (e.id <= sent) continue;
        sent = e.id;
        if (matches(e, filter)) chunk += `id: ${e.id}\ndata: ${JSON.stringify(e)}\n\n`;
      }
      if (chunk && !res.writableEnded) res.write(chunk);
      if (res.writableLength > MAX_BUFFERED) end();
    };
    const unsubscribe = this.feed.subscribe((events) => {
      if (live) send(events);
      else pending.push(...events);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), this.heartbeatMs);
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
    const end = () => {
      if (!this.streams.delete(end)) return;
      clearInterval(heartbeat);
      clearInterval(recheck);
      unsubscribe();
      if (!res.destroyed) res.end();
    };
    this.streams.add(end);
    res.on('close', end);
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
  return !filter.types || filter.types.has(e.type);
}
