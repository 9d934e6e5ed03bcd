import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Baton } from '../app/baton.js';
import type { Principal } from './auth.js';

/**
 * Who may call a route: `public` — anyone, no key; `read` — any key; `worker` — an admin key, or a worker key acting as its
 * own worker (see `actAs`); `admin` — admin keys only.
 */
export type Access = 'public' | 'read' | 'worker' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** The `Baton` acting for the caller (its changes are recorded under the caller's name). */
  baton: Baton;
  principal: Principal;
  req: FastifyRequest;
  reply: FastifyReply;
  /** Aborts when the client goes away or the server shuts down. */
  signal: AbortSignal;
  /** Folder of the attempt logs workers on this machine keep (`.baton/logs`), if known. */
  logDir: string | null;
  /** Whether the caller may set task commands (see `setsCommands`). */
  commandsAllowed: boolean;
}

/** One route of the API: its shapes (for validation and the OpenAPI document) and its one `Baton` call. */
export interface RouteSpec<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Path under /api/v1, Fastify style (`/tasks/:id`). */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  response?: z.ZodType;
  /** Status of a success (default 200). */
  status?: number;
  /** Bytes a body may have (default: the server's limit). */
  bodyLimit?: number;
  /** The call may wait (long-poll): its `signal` aborts when the client goes away. */
  longPoll?: boolean;
  /**
   * The answer may be large (a listing, an export): one caller may have only a few such calls
   * running at once, so one key cannot take the server's memory and time from everyone else.
   */
  heavy?: boolean;
  /**
   * Whether this call sets a task's shell command: code that workers will run. Then the caller
   * needs more than its role — a key with the `commands` capability, or a server started with
   * `--allow-commands`.
   */
  setsCommands?: (body: z.output<B>) => boolean;
  /** The worker a `worker`-access call acts as: a worker key must be that worker. */
  actAs?: (input: { body: z.output<B>; params: z.output<P> }) => string | undefined;
  handle(ctx: RouteContext<z.output<B>, z.output<Q>, z.output<P>>): Promise<unknown>;
}

/** Keeps each route's handler typed by its own schemas. */
export function route<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  spec: RouteSpec<B, Q, P>,
): RouteSpec<z.ZodType, z.ZodType, z.ZodType> {
  return spec as unknown as RouteSpec<z.ZodType, z.ZodType, z.ZodType>;
}
