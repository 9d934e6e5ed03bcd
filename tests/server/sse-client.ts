import type { TaskEvent } from '../../src/core/types.js';

export interface SseClient {
  events: TaskEvent[];
  comments: string[];
  /** Resolves once `predicate` holds for the events received (rejects after `ms`). */
  until(predicate: (events: TaskEvent[]) => boolean, ms?: number): Promise<void>;
  close(): void;
  status: number;
  /** The server ended the stream (or it was closed here). */
  ended: boolean;
}

/** A minimal Server-Sent Events reader over fetch, as a dashboard or script would use. */
export async function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const client: SseClient = {
    events: [],
    comments: [],
    status: res.status,
    async until(predicate, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!predicate(client.events)) {
        if (Date.now() > deadline) throw new Error(`SSE: condition not met in ${ms} ms; got ${client.events.length} events`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => controller.abort(),
    ended: false,
  };
  if (!res.ok || !res.body) return client;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
            else if (line.startsWith('data: ')) client.events.push(JSON.parse(line.slice(6)) as TaskEvent);
          }
        }
      }
    } catch {
      // Aborted by close().
    }
    client.ended = true;
  })();
  return client;
}
