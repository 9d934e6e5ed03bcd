import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NoSchemaIntrospectionCustomRule, parse, printSchema, specifiedRules, validate } from 'graphql';
import mercurius from 'mercurius';
import type { Baton } from '../../app/baton.js';
import { BatonError } from '../../core/errors.js';
import type { Api } from '../api.js';
import { type AuthOptions, stillAdmitted } from '../auth.js';
import type { RouteSpec } from '../route.js';
import type { StreamHub } from '../sse.js';
import { formatErrors, GraphqlRefusal, graphqlErrorHandler } from './errors.js';
import { DEFAULT_QUERY_LIMITS, limitsRule, type QueryLimits } from './limits.js';
import { type GraphqlContext, operationResolvers, scalars, taskLoaders } from './resolvers.js';
import { buildSchema } from './schema.js';
import { subscriptionResolvers } from './subscriptions.js';

export interface GraphqlOptions {
  routes: readonly RouteSpec[];
  api: Api;
  streams: StreamHub;
  startAt: () => number;
  shutdown: AbortSignal;
  /** Asked again while a subscription is open: a revoked key ends it. */
  auth: AuthOptions;
  /** How often an idle subscription socket is pinged (graphql-ws keep-alive). */
  heartbeatMs: number;
  /** Answer introspection queries (default true). */
  introspection?: boolean | undefined;
  limits?: Partial<QueryLimits> | undefined;
}

export const GRAPHQL_PATH = '/api/v1/graphql';

/**
 * `/api/v1/graphql`: queries, mutations (each the call of a REST route, with its roles and coded
 * errors) and subscriptions over WebSocket (graphql-ws), behind the same auth hook as REST;
 * `/api/v1/graphql/schema.graphql` serves the schema.
 */
export async function registerGraphql(app: FastifyInstance, options: GraphqlOptions): Promise<void> {
  const schema = buildSchema(options.routes);
  const limits: QueryLimits = {
    maxDepth: options.limits?.maxDepth ?? DEFAULT_QUERY_LIMITS.maxDepth,
    maxCost: options.limits?.maxCost ?? DEFAULT_QUERY_LIMITS.maxCost,
  };
  const rules = [limitsRule(limits), ...(options.introspection === false ? [NoSchemaIntrospectionCustomRule] : [])];
  const resolverDeps = { call: options.api.call };
  // Also made for a request the auth hook refused (to format its error): then it has no caller.
  const contextOf = (req: FastifyRequest, reply: FastifyReply | undefined): GraphqlContext => ({
    principal: req.principal,
    req,
    reply,
    baton: (req.principal ? options.api.batonFor(req.principal.actor) : undefined) as Baton,
    signal: options.shutdown,
  });

  await app.register(mercurius, {
    schema: schema.sdl,
    resolvers: {
      ...scalars,
      Query: {
        task: (_root: unknown, args: { id: number }, ctx: GraphqlContext) => ctx.baton.getTask(args.id),
        ...operationResolvers(schema.queries, resolverDeps),
      },
      Mutation: operationResolvers(schema.mutations, resolverDeps),
      Subscription: subscriptionResolvers({
        streams: options.streams,
        startAt: options.startAt,
        stillAllowed: (ctx) => {
          const { req, principal } = ctx as GraphqlContext;
          return stillAdmitted(req, principal, options.auth);
        },
      }),
    } as never,
    loaders: taskLoaders as never,
    path: GRAPHQL_PATH,
    graphiql: false,
    validationRules: rules,
    errorFormatter: formatErrors as never,
    errorHandler: graphqlErrorHandler,
    context: (req, reply) => contextOf(req, reply),
    additionalRouteOptions: { config: { access: 'read' }, preHandler: onlyGraphqlText },
    subscription: {
      context: (_socket, req) => contextOf(req, undefined),
      fullWsTransport: false,
      keepAlive: options.heartbeatMs,
    },
  });
  // Subscriptions are not validated by graphql's `subscribe`: the same rules run here.
  app.graphql.addHook('preSubscriptionExecution', async (gqlSchema, document) => {
    const errors = validate(gqlSchema, document, [...specifiedRules, ...rules]);
    if (errors.length > 0) throw new GraphqlRefusal(errors);
  });

  const text = printSchema(app.graphql.schema);
  app.get(`${GRAPHQL_PATH}/schema.graphql`, { config: { access: 'read' } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(text),
  );
}

/**
 * A query is GraphQL text. Mercurius would also take a syntax tree (as JSON, or text that fails to
 * parse but reads as JSON), which the validation rules are not written to survive: refused here.
 */
async function onlyGraphqlText(req: FastifyRequest): Promise<void> {
  const source = (req.method === 'GET' ? req.query : req.body) as { query?: unknown } | null | undefined;
  if (source?.query === undefined) return;
  if (typeof source.query !== 'string') {
    throw new BatonError('invalid_query', 'query: expected the GraphQL query as text', { field: 'query' });
  }
  // A syntax error is answered as GraphQL answers it, with its location.
  parse(source.query);
}
