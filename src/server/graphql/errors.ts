import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { BatonError, ERROR_CODES, type ErrorCode, isBatonError } from '../../core/errors.js';
import type { Principal } from '../auth.js';
import { toBatonError } from '../errors.js';
import { redactValue, seesPaths, withoutPaths } from '../redact.js';

/** Several GraphQL errors raised as one (a subscription refused by the validation rules). */
export class GraphqlRefusal extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors[0]?.message ?? 'invalid query');
  }
}

interface FormattedError {
  message: string;
  locations?: readonly { line: number; column: number }[] | undefined;
  path?: readonly (string | number)[] | undefined;
  extensions: { code: ErrorCode; details: Record<string, unknown> };
}

/**
 * Every GraphQL error as a coded one, as REST gives it: `extensions.code` (a Baton error code)
 * and `extensions.details`. A query that does not parse or suit the schema is `invalid_query`,
 * one over the limits `query_too_complex` (HTTP 400, nothing run); a refused call keeps the code
 * of its REST route (HTTP 200 with `data`, as GraphQL answers errors met while running).
 */
export function formatErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  ctx: { principal?: Principal; reply?: { request?: { principal?: Principal } } },
): { statusCode: number; response: ExecutionResult } {
  const principal = ctx.principal ?? ctx.reply?.request?.principal;
  const errors = execution.errors.flatMap(flatten).map((e) => formatOne(e, principal));
  const ran = execution.data !== undefined && execution.data !== null;
  const beforeRunning = errors.every((e) => e.path === undefined);
  const statusCode = !ran && beforeRunning ? 400 : 200;
  return { statusCode, response: { data: execution.data ?? null, errors: errors as unknown as GraphQLError[] } };
}

/**
 * Errors met before the query ran: a refusal of the auth hook, the rate limit or the request guard
 * keeps its HTTP status and code (401 unauthenticated, …), in GraphQL's answer shape.
 */
export async function graphqlErrorHandler(error: Error, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const principal = (req.principal as Principal | null) ?? undefined;
  const ofGraphql = error instanceof GraphQLError || isMercuriusError((error as { code?: unknown }).code);
  const coded = ofGraphql ? null : toBatonError(error);
  const errors = [
    error instanceof GraphQLError ? error : new GraphQLError(coded?.message ?? error.message, { originalError: coded ?? error }),
  ];
  const { statusCode, response } = formatErrors({ errors }, principal ? { principal } : {});
  if (coded?.category === 'internal') req.log.error({ err: error }, 'graphql request failed');
  void reply.code(coded ? coded.httpStatus : statusCode).send(response);
}

function flatten(error: GraphQLError): GraphQLError[] {
  const inner = (error.originalError as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(inner))
    return inner.map((e) => (e instanceof GraphQLError ? e : new GraphQLError(String(e?.message ?? e), { originalError: e })));
  return [error];
}

function formatOne(error: GraphQLError, principal: Principal | undefined): FormattedError {
  const coded = codedError(error);
  const plain = principal !== undefined && seesPaths(principal);
  return {
    message: plain ? coded.message : withoutPaths(coded.message),
    ...(error.locations && { locations: error.locations }),
    ...(error.path && { path: error.path }),
    extensions: {
      code: coded.code,
      details: plain ? (coded.details ?? {}) : (redactValue(coded.details ?? {}) as Record<string, unknown>),
    },
  };
}

function codedError(error: GraphQLError): BatonError {
  const own = error.extensions?.code;
  if (typeof own === 'string' && own in ERROR_CODES) {
    const { code: _, ...details } = error.extensions;
    return new BatonError(own as ErrorCode, error.message, details);
  }
  const original = error.originalError;
  if (original && isBatonError(original)) return original;
  const mercuriusCode = (original as { code?: unknown } | undefined)?.code;
  if (mercuriusCode === 'MER_ERR_GQL_QUERY_DEPTH') return new BatonError('query_too_complex', error.message);
  // Raised before anything ran: a syntax error, a field or subscription the schema lacks, a bad variable.
  const ofQuery = !original || original instanceof GraphQLError || original instanceof TypeError;
  if (error.path === undefined && (ofQuery || isMercuriusError(mercuriusCode))) {
    return new BatonError('invalid_query', error.message);
  }
  return toBatonError(original ?? error);
}

function isMercuriusError(code: unknown): boolean {
  return typeof code === 'string' && code.startsWith('MER_ERR_');
}
