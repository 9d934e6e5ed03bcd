import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REPO_PATTERN } from '../core/github.js';
import { type RouteSpec, route } from './route.js';

const receiptSchema = z.strictObject({
  hook: z.string(),
  deliveryId: z.string(),
  outcome: z.enum(['task', 'run', 'ignored']),
  taskId: z.number().nullable(),
  runId: z.number().nullable(),
});
const syncReportSchema = z.strictObject({
  repos: z.array(z.string()),
  imported: z.number(),
  tasksUpdated: z.number(),
  issuesUpdated: z.number(),
  notModified: z.number(),
});
const linkSchema = z.strictObject({
  repo: z.string(),
  number: z.number(),
  taskId: z.number(),
  state: z.enum(['open', 'closed']),
  commented: z.boolean(),
});
const repoName = z.string().regex(REPO_PATTERN, 'OWNER/REPO');

/** Headers a mapping may read: never the caller's credentials. */
const HIDDEN_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

function headersOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HIDDEN_HEADERS.has(name) && value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Inbound hooks (public: the body's HMAC signature is the credential) and GitHub issues (admin). */
export const integrationRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    path: '/hooks/:name',
    summary:
      "Deliver a signed JSON payload to an inbound hook of config.yaml: it becomes a task or a workflow run by the hook's mapping; a bad signature or a delivery id already seen is refused and changes nothing",
    tag: 'hooks',
    access: 'public',
    status: 201,
    params: z.strictObject({ name: z.string().min(1).max(63) }),
    body: z.unknown(),
    response: receiptSchema,
    handle: ({ baton, params, req }) => baton.receiveHook(params.name, { body: req.rawBody ?? '', headers: headersOf(req) }),
  }),
  route({
    method: 'POST',
    path: '/github/import',
    summary: 'Link the open issues of a GitHub repository (by label, milestone) to new tasks',
    tag: 'github',
    access: 'admin',
    body: z.strictObject({
      repo: repoName,
      label: z.string().min(1).max(200).optional(),
      milestone: z.string().min(1).max(200).optional(),
    }),
    response: syncReportSchema,
    handle: ({ baton, body }) => baton.githubImport(body),
  }),
  route({
    method: 'POST',
    path: '/github/sync',
    summary:
      'Two-way sync of the linked GitHub repositories (or one): issue state, labels and links ↔ tasks; a comment when a task completes',
    tag: 'github',
    access: 'admin',
    body: z.strictObject({ repo: repoName.optional() }),
    response: syncReportSchema,
    handle: ({ baton, body }) => baton.githubSync(body),
  }),
  route({
    method: 'GET',
    path: '/github/links',
    summary: 'GitHub issues linked to tasks',
    tag: 'github',
    access: 'read',
    query: z.strictObject({ repo: repoName.optional() }),
    response: z.strictObject({ links: z.array(linkSchema) }),
    handle: async ({ baton, query }) => ({ links: await baton.githubLinks(query) }),
  }),
];
