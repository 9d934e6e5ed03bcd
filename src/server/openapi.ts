import { z } from 'zod';
import { errorSchema, streamQuery } from './http-schemas.js';
import type { RouteSpec } from './route.js';

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Json;

/** `/tasks/:id` → `/tasks/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function parameters(spec: RouteSpec): Json[] {
  const out: Json[] = [];
  const add = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    const shape = (schema as z.ZodObject | undefined)?.shape as Record<string, z.ZodType> | undefined;
    for (const [name, field] of Object.entries(shape ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        schema: schemaOf(field, 'input'),
      });
    }
  };
  add(spec.params, 'path');
  add(spec.query, 'query');
  return out;
}

const errorResponses = (spec: RouteSpec): Json => {
  const error = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const writes = spec.method !== 'GET';
  // 403 on every route: a Host that is not the server's, or a page of another site (forbidden_host, forbidden_origin).
  const codes = ['400', '401', '403', '404', '429', ...(spec.access === 'public' || spec.access === 'read' ? [] : ['409'])];
  if (spec.body) codes.push('413');
  if (writes) codes.push('415');
  return Object.fromEntries(codes.sort().map((c) => [c, error]));
};

const COMMANDS_NOTE =
  'Setting `command` needs an admin key with the `commands` capability, or a server started with `--allow-commands` (else 403 commands_not_allowed): whoever can set commands can run code on every worker that runs task commands.';

const DESCRIPTION = [
  'Coordinate workers claiming tasks from a shared store.',
  '',
  'Security: send the key as `Authorization: Bearer <key>` (`?access_token=` is taken by the event stream only). Writes (POST, PUT, PATCH, and a DELETE with a body) must be `Content-Type: application/json` (else 415 unsupported_media_type). The `Host` header must name the server: a loopback name, the address it listens on, or a name given with `serve --allowed-hosts` (else 403 forbidden_host). A browser page may write only from the server itself or an origin given with `serve --cors`, and a page of another site may not call at all (403 forbidden_origin). Wrong keys are limited per address (429 rate_limited).',
].join('\n');

function operation(spec: RouteSpec): Json {
  const ok = {
    description: 'success',
    content: { 'application/json': { schema: spec.response ? schemaOf(spec.response, 'output') : {} } },
  };
  return {
    summary: spec.summary,
    tags: [spec.tag],
    operationId: `${spec.method.toLowerCase()}${spec.path.replace(/[/:](\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(spec.access !== 'public' && { security: [{ bearer: [] }], 'x-baton-access': spec.access }),
    ...(spec.setsCommands && { description: COMMANDS_NOTE, 'x-baton-sets-commands': true }),
    parameters: parameters(spec),
    ...(spec.body && {
      requestBody: { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } },
    }),
    responses: { [String(spec.status ?? 200)]: ok, ...errorResponses(spec) },
  };
}

/** The OpenAPI 3 document of the API, generated from the same zod schemas that validate it. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const spec of routes) {
    const path = `/api/v1${openApiPath(spec.path)}`;
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation(spec) };
  }
  paths['/api/v1/events'] = {
    get: {
      summary:
        'Server-Sent Events of every change (id = event id; resume with Last-Event-ID or ?after=; `:` comment lines are heartbeats). Without Accept: text/event-stream, the history as JSON.',
      description:
        'The stream may take its key as `?access_token=` (for EventSource, which cannot send headers); the JSON history may not. A stream ends within seconds of its key being revoked.',
      tags: ['events'],
      security: [{ bearer: [] }],
      parameters: [
        ...parameters({ query: streamQuery } as unknown as RouteSpec),
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'text/event-stream; each message: id, and data = the event as JSON' } },
    },
  };
  Object.assign(paths, graphqlPaths(parameters({ query: streamQuery } as unknown as RouteSpec)));
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics (text format)',
      security: [{ bearer: [] }],
      responses: { '200': { description: 'text' } },
    },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'Baton API', version, description: DESCRIPTION },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `baton keys create`' } },
      schemas: { Error: schemaOf(errorSchema, 'output') },
    },
    paths,
  };
}

/** The GraphQL endpoint, its schema, and the WebSocket door: described here, served outside the route table. */
function graphqlPaths(streamParameters: Json[]): Record<string, Json> {
  const security = [{ bearer: [] }];
  const graphqlAnswer = {
    description:
      'GraphQL answer `{data, errors}`; each error has `extensions.code` (a Baton error code) and `extensions.details`. A query that does not parse or suit the schema is 400 invalid_query; one over the depth or cost limit 400 query_too_complex.',
    content: { 'application/json': { schema: { type: 'object' } } },
  };
  return {
    '/api/v1/graphql': {
      post: {
        summary:
          'GraphQL: queries (tasks with filters and cursor pages, their dependencies, subtasks, parent, events and worker; workers, status, workflows, runs…) and a mutation for every write of this API, with the same roles and error codes',
        tags: ['graphql'],
        security,
        'x-baton-access': 'read',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['query'],
                properties: { query: { type: 'string' }, variables: { type: 'object' }, operationName: { type: 'string' } },
              },
            },
          },
        },
        responses: { '200': graphqlAnswer, '400': graphqlAnswer, '401': graphqlAnswer, '429': graphqlAnswer },
      },
      get: {
        summary:
          'GraphQL queries as `?query=` (no mutations); with `Upgrade: websocket` and the `graphql-transport-ws` protocol, subscriptions (taskEvents, runEvents)',
        tags: ['graphql'],
        security,
        parameters: [{ name: 'query', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { '200': graphqlAnswer, '101': { description: 'switched to the graphql-ws protocol' } },
      },
    },
    '/api/v1/graphql/schema.graphql': {
      get: {
        summary: 'The GraphQL schema (SDL), written from the same zod schemas as this document',
        tags: ['graphql'],
        security,
        responses: { '200': { description: 'text/plain: the schema in GraphQL SDL' } },
      },
    },
    '/api/v1/ws': {
      get: {
        summary:
          'WebSocket: the event stream of /api/v1/events (same filters, resume with ?after= or Last-Event-ID, heartbeats) as `{type: "event", event}` messages, and claim, claimTask, heartbeat, progress, complete, fail, release as `{type, ref, taskId, body}` frames answered by `{type: "result", ref, data}` or `{type: "error", ref, error}`',
        description:
          'Frames are JSON text of at most 64 KiB (else a payload_too_large error; past the body limit the socket closes with 1009). A client more than 8 MiB behind is closed with 4008 and resumes with ?after=<last event id>. The key may be given as ?access_token= (browsers cannot set headers on a WebSocket).',
        tags: ['events'],
        security,
        parameters: [...streamParameters, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
        responses: {
          '101': { description: 'switched to WebSocket' },
          '401': { description: 'no valid key (HTTP, before the upgrade)' },
        },
      },
    },
  };
}
