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
  const codes = ['400', '401', '429', ...(spec.access === 'public' || spec.access === 'read' ? [] : ['403', '409']), '404'];
  return Object.fromEntries(codes.map((c) => [c, error]));
};

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
      tags: ['events'],
      security: [{ bearer: [] }],
      parameters: [
        ...parameters({ query: streamQuery } as unknown as RouteSpec),
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'text/event-stream; each message: id, and data = the event as JSON' } },
    },
  };
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics (text format)',
      security: [{ bearer: [] }],
      responses: { '200': { description: 'text' } },
    },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'Baton API', version, description: 'Coordinate workers claiming tasks from a shared store.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `baton keys create`' } },
      schemas: { Error: schemaOf(errorSchema, 'output') },
    },
    paths,
  };
}
