/** Server-Sent Events read with fetch, for clients without a browser's EventSource. */

export interface FollowOptions {
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Called with each event id, in order. */
  onEvent(id: number): void;
  /** Where to start when no event has been seen yet (the newest id now). */
  start(): Promise<number>;
}

/** Follows a stream until `signal` aborts, resuming after the last id seen on every reconnect. */
export async function followStream(options: FollowOptions): Promise<void> {
  let last: number | null = null;
  for (let attempt = 0; !options.signal.aborted; attempt++) {
    try {
      last ??= await options.start();
      const res = await fetch(options.url, {
        headers: { ...options.headers, accept: 'text/event-stream', 'last-event-id': String(last) },
        signal: options.signal,
      });
      if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
      attempt = 0;
      for await (const id of eventIds(res.body)) {
        last = id;
        options.onEvent(id);
      }
    } catch {
      // Unreachable or dropped: wait and resume, as a browser's EventSource does.
    }
    if (options.signal.aborted) return;
    await pause(Math.min(5_000, 250 * 2 ** attempt), options.signal);
  }
}

async function* eventIds(body: ReadableStream<Uint8Array>): AsyncGenerator<number> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      if (id !== undefined) yield Number(id);
      end = buffer.indexOf('\n\n');
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
