import { type ClientRequest, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './helpers.js';

/**
 * A body over the limit is refused, and the client always gets to read the refusal: it is not
 * invited to upload (Expect: 100-continue), and an upload already under way is not cut off.
 */

const BODY = Buffer.alloc(16 * 1024 * 1024, 'x');
const SLICE = 256 * 1024;
const ATTEMPTS = 20;

let t: TestServer;
let port: number;
beforeAll(async () => {
  t = await testServer();
  await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.server.app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await t.close();
});

interface Outcome {
  status?: number;
  code?: string;
  continued: boolean;
  error?: string;
}

/** One oversized POST as a plain HTTP client makes it; resolves with what the client saw. */
function upload(mode: 'expect' | 'length' | 'chunked', to = port, path = '/api/v1/tasks', body: Buffer = BODY): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', connection: 'close' };
    if (mode !== 'chunked') headers['content-length'] = body.length;
    if (mode === 'expect') headers.expect = '100-continue';
    const outcome: Outcome = { continued: false };
    const req = request({ host: '127.0.0.1', port: to, method: 'POST', path, headers });
    req.on('continue', () => {
      outcome.continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      outcome.status = res.statusCode;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        outcome.code = (JSON.parse(text) as { error: { code: string } }).error.code;
        req.destroy();
        resolve(outcome);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ...outcome, error: err.code ?? err.message }));
    // A client streaming a file writes as it reads: the server answers while the upload goes on.
    if (mode !== 'expect') paced(req, body);
  });
}

/** Writes `body` a slice at a time, as a client uploading a file from disk or network does. */
function paced(req: ClientRequest, body: Buffer, at = 0): void {
  if (req.destroyed) return;
  if (at >= body.length) {
    req.end();
    return;
  }
  req.write(body.subarray(at, at + SLICE));
  setTimeout(() => paced(req, body, at + SLICE), 2);
}

const post = (to: number, path: string, body: Buffer) => upload('expect', to, path, body);

describe('a body over the limit', () => {
  it.each(['expect', 'length', 'chunked'] as const)('is answered 413, read by the client every time (%s)', async (mode) => {
    const before = await t.snapshot();
    const outcomes = await Promise.all(Array.from({ length: ATTEMPTS }, () => upload(mode)));
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect(outcomes.every((o) => o.status === 413 && o.code === 'payload_too_large')).toBe(true);
    // Announced with Expect: 100-continue, the body is never asked for.
    if (mode === 'expect') expect(outcomes.some((o) => o.continued)).toBe(false);
    expect(await t.snapshot()).toBe(before);
  });

  it('is judged by the route’s own limit: an import may be larger, and is invited', async () => {
    const small = await testServer({ bodyLimit: 1024, importLimit: 4 * 1024 * 1024 });
    try {
      await small.server.app.listen({ port: 0, host: '127.0.0.1' });
      const smallPort = (small.server.app.server.address() as { port: number }).port;
      const dump = Buffer.from(JSON.stringify({ ...(await small.baton.exportData()), notes: 'x'.repeat(8 * 1024) }));
      const imported = await post(smallPort, '/api/v1/import', dump);
      expect(imported.continued).toBe(true);
      // Past the size check, the import itself refuses what it does not know.
      expect(imported.status).toBe(400);
      const task = await post(smallPort, '/api/v1/tasks', dump);
      expect(task).toMatchObject({ continued: false, status: 413, code: 'payload_too_large' });
    } finally {
      await small.close();
    }
  });
});
