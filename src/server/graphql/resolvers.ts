import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLScalarType, Kind, type ValueNode, valueFromASTUntyped } from 'graphql';
import type { Baton } from '../../app/baton.js';
import { BatonError } from '../../core/errors.js';
import { LIMITS } from '../../core/limits.js';
import type { Task, TaskEvent, WorkerView } from '../../core/types.js';
import type { RouteCaller } from '../api.js';
import type { Principal } from '../auth.js';
import { asUrlValue, type Operation } from './operations.js';

/** What every resolver of one request knows: who calls, over which request, and their Baton. */
export interface GraphqlContext {
  principal: Principal;
  req: FastifyRequest;
  reply?: FastifyReply | undefined;
  baton: Baton;
  signal: AbortSignal;
}

export interface ResolverDeps {
  call: RouteCaller;
}

type Args = Record<string, unknown>;

/** Query and mutation resolvers: each one route's call, made as that route makes it. */
export function operationResolvers(operations: readonly Operation[], deps: ResolverDeps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const op of operations) {
    out[op.name] = (_root: unknown, args: Args, ctx: GraphqlContext) => {
      const params = urlValues(op.params, args);
      const query = urlValues(op.query, args);
      const body = op.spec.body ? (args.input ?? {}) : undefined;
      return deps.call(op.spec, { principal: ctx.principal, params, query, body, req: ctx.req, signal: ctx.signal });
    };
  }
  return out;
}

function urlValues(names: readonly string[], args: Args): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = asUrlValue(args[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

type Query<A = Args> = { obj: Task; params: A };

/**
 * The relations of `Task`, each read once per request for every task asking (mercurius batches
 * them): the dependencies and parents of a page of 100 tasks are one listing, not 100 reads.
 */
export const taskLoaders = {
  Task: {
    dependencies: async (queries: Query[], ctx: GraphqlContext) => {
      const byId = await tasksById(
        ctx.baton,
        queries.flatMap((q) => q.obj.dependsOn),
      );
      return queries.map((q) => q.obj.dependsOn.map((id) => byId.get(id)).filter((t): t is Task => t !== undefined));
    },
    parent: async (queries: Query[], ctx: GraphqlContext) => {
      const byId = await tasksById(
        ctx.baton,
        queries.flatMap((q) => (q.obj.parentId === null ? [] : [q.obj.parentId])),
      );
      return queries.map((q) => (q.obj.parentId === null ? null : (byId.get(q.obj.parentId) ?? null)));
    },
    subtasks: async (queries: Query[], ctx: GraphqlContext) => {
      const parents = unique(queries.map((q) => q.obj.id));
      const children = await allPages(ctx.baton, { parentIds: parents });
      const byParent = new Map<number, Task[]>();
      for (const child of children)
        byParent.set(child.parentId as number, [...(byParent.get(child.parentId as number) ?? []), child]);
      return queries.map((q) => byParent.get(q.obj.id) ?? []);
    },
    worker: async (queries: Query[], ctx: GraphqlContext) => {
      if (queries.every((q) => q.obj.assignee === null)) return queries.map(() => null);
      const workers = new Map<string, WorkerView>((await ctx.baton.listWorkers()).map((w) => [w.id, w]));
      return queries.map((q) => (q.obj.assignee === null ? null : (workers.get(q.obj.assignee) ?? null)));
    },
    events: async (queries: Query<{ limit?: number }>[], ctx: GraphqlContext) => {
      for (const q of queries) {
        const limit = q.params.limit ?? 50;
        if (limit < 1 || limit > LIMITS.eventsPageLimit) {
          throw new BatonError('invalid_argument', `limit: must be from 1 to ${LIMITS.eventsPageLimit}`, { field: 'limit' });
        }
      }
      const perTask = Math.max(...queries.map((q) => q.params.limit ?? 50));
      const histories = new Map<number, TaskEvent[]>();
      const ids = unique(queries.map((q) => q.obj.id));
      for (let i = 0; i < ids.length; i += LIMITS.listLimit) {
        for (const e of await ctx.baton.events({ taskIds: ids.slice(i, i + LIMITS.listLimit), perTask })) {
          const taskId = e.taskId as number;
          histories.set(taskId, [...(histories.get(taskId) ?? []), e]);
        }
      }
      return queries.map((q) => (histories.get(q.obj.id) ?? []).slice(-(q.params.limit ?? 50)));
    },
  },
};

async function tasksById(baton: Baton, ids: readonly number[]): Promise<Map<number, Task>> {
  const wanted = unique(ids);
  const out = new Map<number, Task>();
  for (let i = 0; i < wanted.length; i += LIMITS.listLimit) {
    const page = await baton.listTasks({ ids: wanted.slice(i, i + LIMITS.listLimit), limit: LIMITS.listLimit });
    for (const task of page.tasks) out.set(task.id, task);
  }
  return out;
}

async function allPages(baton: Baton, query: { parentIds: number[] }): Promise<Task[]> {
  const out: Task[] = [];
  for (let i = 0; i < query.parentIds.length; i += LIMITS.listLimit) {
    let cursor: string | undefined;
    do {
      const parentIds = query.parentIds.slice(i, i + LIMITS.listLimit);
      const page = await baton.listTasks({ parentIds, limit: LIMITS.listLimit, ...(cursor !== undefined && { cursor }) });
      out.push(...page.tasks);
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
  }
  return out;
}

function unique(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

export const scalars = {
  JSON: new GraphQLScalarType({
    name: 'JSON',
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
  }),
  SafeInt: new GraphQLScalarType({
    name: 'SafeInt',
    serialize: (value) => value,
    parseValue: (value) => safeInt(value),
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.INT) throw new TypeError('SafeInt: expected a whole number');
      return safeInt(Number(ast.value));
    },
  }),
};

function safeInt(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new TypeError('SafeInt: expected a whole number up to 2^53 - 1');
  return value;
}
