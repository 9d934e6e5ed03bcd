import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { BatonError } from '../core/errors.js';

/** The built dashboard at `/` (its client-side routes too), or a landing page when it is not built. */
export async function registerDashboard(app: FastifyInstance, dir: string | null): Promise<void> {
  const root = dir ? resolve(dir) : null;
  const index = root ? join(root, 'index.html') : null;
  const built = Boolean(root && index && existsSync(index));
  if (built && root) {
    const { default: fastifyStatic } = await import('@fastify/static');
    await app.register(fastifyStatic, { root, prefix: '/', wildcard: true, index: 'index.html' });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(LANDING));
  }
  app.setNotFoundHandler(async (req, reply) => {
    const api = req.url.startsWith('/api/') || req.url === '/metrics';
    if (!api && built && req.method === 'GET') {
      // A client-side route of the dashboard: the app itself decides what to show.
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    throw new BatonError('route_not_found', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
}

const LANDING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head><body>
<h1>Baton</h1>
<p>The server is running. The dashboard is not built here (build it into <code>web/dist</code>).</p>
<ul>
<li><a href="/api/v1/status">/api/v1/status</a> — counts, queue depth, workers, throughput</li>
<li><a href="/api/v1/tasks">/api/v1/tasks</a> — tasks</li>
<li><a href="/api/v1/openapi.json">/api/v1/openapi.json</a> — the API, described</li>
<li><a href="/api/v1/events">/api/v1/events</a> — live events (Server-Sent Events)</li>
<li><a href="/metrics">/metrics</a> — Prometheus metrics</li>
</ul>
</body></html>
`;
