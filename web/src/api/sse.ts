import { API } from './client';
import { type Message, parseChunk } from './sse-parse';
import type { TaskEvent } from './types';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface StreamOptions {
  token: () => string | null;
  onEvent: (event: TaskEvent) => void;
  onState: (state: StreamState) => void;
}

/** Reads an event's payload whether the server sends the event itself or wraps it. */
function toEvent(msg: Message): TaskEvent | null {
  if (!msg.data) return null;
  try {
    const body = JSON.parse(msg.data) as Partial<TaskEvent> & { event?: TaskEvent };
    const event = (body.event && typeof body.event === 'object' ? body.event : body) as TaskEvent;
    if (typeof event.type !== 'string') event.type = msg.event;
    return event;
  } catch {
    return null;
  }
}

/**
 * Follows `/api/v1/events` over fetch rather than EventSource, because EventSource cannot send the
 * Authorization header. Reconnects with `Last-Event-ID`, so no change is missed across a drop.
 */
export function openStream(options: StreamOptions): () => void {
  let stopped = false;
  let lastId: string | null = null;
  let controller: AbortController | null = null;
  let delay = 500;

  async function readOnce(): Promise<'again' | 'stop'> {
    controller = new AbortController();
    const token = options.token();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (lastId) headers['last-event-id'] = lastId;
    const res = await fetch(`${API}/events`, { headers, signal: controller.signal, cache: 'no-store' });
    if (res.status === 401 || res.status === 403) {
      options.onState('unauthorized');
      return 'stop';
    }
    if (!res.ok || !res.body) return 'again';
    options.onState('live');
    delay = 500;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'again';
      const { messages, rest } = parseChunk(buffer + value);
      buffer = rest;
      for (const msg of messages) {
        if (msg.id) lastId = msg.id;
        const event = toEvent(msg);
        if (event && msg.event !== 'heartbeat' && msg.event !== 'ping') options.onEvent(event);
      }
    }
  }

  async function loop() {
    options.onState('connecting');
    while (!stopped) {
      let outcome: 'again' | 'stop' = 'again';
      try {
        outcome = await readOnce();
      } catch {
        // Dropped connection or server restart: retry below with backoff.
      }
      if (stopped || outcome === 'stop') return;
      options.onState('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  void loop();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
