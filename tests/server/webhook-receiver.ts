import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Local HTTP receivers for the webhook tests. */

export const SECRET = 'a-test-secret-of-enough-length';

/** What a receiver got: each body with whether its signature held. */
export interface Received {
  event: string;
  eventId: number;
  signed: boolean;
  at: number;
}

type Mode = 'ok' | 'fail' | 'hang';

/**
 * A local HTTP receiver: `ok` answers 204 and checks the signature, `fail` answers 500, `hang`
 * never answers; `mode` may change while it runs (a receiver fixed).
 */
export async function receiver(initial: Mode, secret = SECRET) {
  let mode = initial;
  const got: Received[] = [];
  const hanging: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { event: string; eventId: number };
      got.push({
        event: parsed.event,
        eventId: parsed.eventId,
        signed: verify(secret, String(req.headers['baton-signature']), body),
        at: Date.now(),
      });
      if (mode === 'hang') hanging.push(req);
      else res.writeHead(mode === 'ok' ? 204 : 500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    got,
    setMode: (m: Mode) => {
      mode = m;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The receiver's side of the signature, as docs/operations.md shows it. */
function verify(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
  return fresh && parts.v1 !== undefined && timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected));
}

/** Polls `probe` until it gives something truthy. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
