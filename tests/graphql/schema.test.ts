import fc from 'fast-check';
import { type GraphQLObjectType, buildSchema as parseSdl } from 'graphql';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { MUTATION_NAMES, NOT_MUTATIONS } from '../../src/server/graphql/operations.js';
import { buildSchema } from '../../src/server/graphql/schema.js';
import { eventSchema, taskSchema, workerViewSchema } from '../../src/server/http-schemas.js';
import { routesOf } from '../../src/server/routes.js';
import { testServer } from '../server/helpers.js';

const routes = routesOf({ metrics: {} as never, clock: systemClock, startedAt: 0, version: 'test' });
const schema = parseSdl(buildSchema(routes).sdl);
const fieldsOf = (name: string) => Object.keys((schema.getType(name) as GraphQLObjectType).getFields());

describe('the GraphQL schema is written from the REST routes and their zod schemas', () => {
  it('has a mutation for every REST write, taking the same inputs', () => {
    const mutations = (schema.getMutationType() as GraphQLObjectType).getFields();
    for (const spec of routes.filter((r) => r.method !== 'GET' && !NOT_MUTATIONS.has(`${r.method} ${r.path}`))) {
      const name = MUTATION_NAMES[`${spec.method} ${spec.path}`] as string;
      expect(mutations[name], `${spec.method} ${spec.path}`).toBeDefined();
      const args = (mutations[name]?.args ?? []).map((a) => a.name);
      for (const param of Object.keys((spec.params as { shape?: object } | undefined)?.shape ?? {}))
        expect(args).toContain(param);
    }
  });

  it('gives Task, Worker and Event the fields of their zod records (Task adds its relations)', () => {
    expect(fieldsOf('Task').sort()).toEqual(
      [...Object.keys(taskSchema.shape), 'dependencies', 'subtasks', 'parent', 'events', 'worker'].sort(),
    );
    expect(fieldsOf('Worker').sort()).toEqual(Object.keys(workerViewSchema.shape).sort());
    expect(fieldsOf('Event').sort()).toEqual(Object.keys(eventSchema.shape).sort());
  });
});

describe('GraphQL over a server', () => {
  it('refuses introspection when it is turned off, and answers it otherwise', async () => {
    const closed = await testServer({ graphql: { introspection: false } });
    const open = await testServer();
    try {
      const ask = { method: 'POST' as const, url: '/api/v1/graphql', payload: { query: '{ __schema { types { name } } }' } };
      const refused = await closed.inject(ask);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors[0].extensions.code).toBe('invalid_query');
      expect((await open.inject(ask)).json().data.__schema.types.length).toBeGreaterThan(10);
      // The schema itself is still served as a file, and the OpenAPI document lists the new doors.
      expect((await closed.inject({ method: 'GET', url: '/api/v1/graphql/schema.graphql' })).statusCode).toBe(200);
      const doc = (await open.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, object> };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/v1/graphql', '/api/v1/graphql/schema.graphql', '/api/v1/ws']),
      );
    } finally {
      await closed.close();
      await open.close();
    }
  });

  it('never answers a 5xx nor writes part of a refused mutation, whatever it is sent (fuzz)', async () => {
    const s = await testServer();
    try {
      const seed = await s.baton.createTask({ title: 'seed' });
      const mutations = Object.values((schema.getMutationType() as GraphQLObjectType).getFields()).filter(
        // Backups, restores and imports touch files and whole stores: their inputs are fuzzed by REST's own test.
        (m) => !['backup', 'restore', 'importData', 'collectGarbage'].includes(m.name),
      );
      const value = fc.oneof(
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ maxLength: 20 }),
        fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }),
        fc.constantFrom('w1', 'critical', 'queued', seed.id, 0, -1, 1e300, '', ' '),
      );
      const keys = fc.constantFrom(
        'title',
        'workerId',
        'token',
        'progress',
        'dependsOn',
        'priority',
        'pass',
        'error',
        'id',
        'zzz',
      );
      const input = fc.oneof(fc.dictionary(keys, value, { maxKeys: 4 }), value);
      const garbage = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom(
          '{',
          'mutation {',
          '{ tasks { tasks { id } } ',
          'subscription { x }',
          '0',
          '"a"',
          '{"kind":"Document","definitions":[1]}',
        ),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...mutations), input, value, garbage, fc.nat(3), async (m, body, id, junk, shape) => {
          const before = await s.snapshot();
          const args = m.args.map((a) => (a.name === 'input' ? `input: $input` : `${a.name}: $${a.name}`));
          const declared = m.args.map((a) => `$${a.name}: ${a.type}`);
          const vars = Object.fromEntries(m.args.map((a) => [a.name, a.name === 'input' ? body : id]));
          const selection = `${m.name}${args.length ? `(${args.join(', ')})` : ''}${isLeaf(m.type.toString()) ? '' : ' { __typename }'}`;
          const mutation = `mutation${declared.length ? `(${declared.join(', ')})` : ''} { ${selection} }`;
          // A syntax tree instead of text, as some servers take it.
          const tree = { kind: 'Document', definitions: [junk] };
          const query = shape === 0 ? junk : shape === 1 ? tree : mutation;
          const res = await s.inject({ method: 'POST', url: '/api/v1/graphql', payload: { query, variables: vars } });
          expect(res.statusCode, `${JSON.stringify(query)} ${JSON.stringify(vars)} ${res.body}`).toBeLessThan(500);
          const answer = res.json() as { data: Record<string, unknown> | null; errors?: { extensions: { code: string } }[] };
          if (answer.errors) {
            for (const e of answer.errors) expect(typeof e.extensions.code).toBe('string');
            expect(answer.errors.map((e) => e.extensions.code)).not.toContain('internal');
            if (!answer.data?.[m.name]) expect(await s.snapshot()).toBe(before);
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      await s.close();
    }
  });
});

function isLeaf(type: string): boolean {
  return /^(JSON|String|Int|Float|Boolean|SafeInt)!?$/.test(type);
}
