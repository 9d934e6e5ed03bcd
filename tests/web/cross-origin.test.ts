import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Browser, openBrowser, type Served, startServer } from './harness.js';

/**
 * `npm start` serves without keys on loopback: anyone on this machine is admin. A web page the
 * person happens to have open is not "on this machine", and must change nothing — neither one on
 * another origin firing writes that need no permission, nor one that points its own name at
 * 127.0.0.1 (DNS rebinding) to make the browser treat the server as its own.
 */

const REBOUND = 'rebind.attacker.example';

let server: Served;
let browser: Browser;
let attacker: Server;
let attackerUrl: string;
let taskId: number;

interface Page {
  tasks: { id: number; title: string; status: string; command?: string | null }[];
  total: number;
}

/** A page of another origin that tries every write a browser lets a page send without asking. */
const ATTACK_PAGE = `<!doctype html><html><body>
<iframe name="sink" title="sink"></iframe>
<script>
const query = new URLSearchParams(location.search);
const id = query.get('id');
const shots = [];
for (const target of query.getAll('target')) {
  const api = target + '/api/v1';
  const post = (path, init = {}) => fetch(api + path, { method: 'POST', mode: 'no-cors', credentials: 'include', ...init });
  shots.push(post('/tasks/' + id + '/pause'), post('/tasks/' + id + '/cancel'));
  shots.push(post('/tasks', { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ title: 'planted', command: 'id > /tmp/owned' }) }));
  shots.push(post('/tasks', { body: new Blob([JSON.stringify({ title: 'planted' })]) }));
  navigator.sendBeacon(api + '/tasks/' + id + '/pause', 'x');
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = api + '/tasks/' + id + '/cancel';
  form.target = 'sink';
  form.innerHTML = '<input name="reason" value="owned">';
  document.body.append(form);
  form.submit();
}
Promise.allSettled(shots).then(() => setTimeout(() => { document.title = 'fired'; }, 500));
</script></body></html>`;

beforeAll(async () => {
  server = await startServer();
  taskId = (await api<{ id: number }>(server.url, 'POST', '/tasks', { title: 'Keep me queued' })).id;
  attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(ATTACK_PAGE));
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}`;
  browser = await openBrowser(undefined, [`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`]);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await server?.stop();
});

async function board(): Promise<Page> {
  return api<Page>(server.url, 'GET', '/tasks?limit=100');
}

describe('web pages that are not the dashboard', () => {
  it('a page on another origin cannot pause, cancel or create anything', async () => {
    const before = await board();
    const port = new URL(server.url).port;
    const targets = [server.url, `http://localhost:${port}`].map((t) => `target=${encodeURIComponent(t)}`).join('&');
    const { page } = browser;
    await page.goto(`${attackerUrl}/?id=${taskId}&${targets}`);
    await page.waitForFunction("document.title === 'fired'", undefined, { timeout: 15_000 });
    const after = await board();
    expect(after.tasks.find((t) => t.id === taskId)?.status).toBe('queued');
    expect(after.tasks.filter((t) => t.title === 'planted')).toEqual([]);
    expect(after.total).toBe(before.total);
  });

  it('a page that rebinds its own name to this machine can neither read nor write', async () => {
    const before = await board();
    const port = new URL(server.url).port;
    const { page } = browser;
    const landing = await page.goto(`http://${REBOUND}:${port}/`);
    expect(landing?.status()).toBe(403);
    // What the rebound page's script would do, as a page of that origin.
    const tried = await page.evaluate(async () => {
      const create = await fetch('/api/v1/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'planted', command: 'id > /tmp/owned' }),
      });
      const read = await fetch('/api/v1/tasks');
      return [create.status, read.status];
    });
    expect(tried).toEqual([403, 403]);
    const after = await board();
    expect(after.total).toBe(before.total);
    expect(after.tasks.filter((t) => t.title === 'planted')).toEqual([]);
  });
});
