import {
  type FieldNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLOutputType,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { LIMITS } from '../../core/limits.js';

export interface QueryLimits {
  /** Deepest nesting of fields (default 8). */
  maxDepth: number;
  /** Largest estimated cost (default 20,000): each field costs once per object it is read on. */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxCost: 20_000 };

/** Items assumed in a list without a `limit` of its own (dependencies, subtasks). */
const UNBOUNDED_LIST = 20;

/**
 * Refuses a query nested too deep or estimated too costly, before it runs. The estimate: a field
 * costs 1 for every object it is read on, and a list multiplies what is read below it by its size
 * — the `limit` its field (or the field above, for a page like `tasks { tasks }`) asks for, the
 * largest page when a variable gives it, and 20 when nothing bounds it. We keep this small rule
 * rather than a library: it knows our one paging argument, and says plainly what it refused.
 */
export function limitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node) {
      const root = node.operation === 'query' ? context.getSchema().getQueryType() : undefined;
      const type =
        root ??
        (node.operation === 'mutation' ? context.getSchema().getMutationType() : context.getSchema().getSubscriptionType());
      if (!type) return;
      const cost = { total: 0, depth: 0 };
      walk(context, node.selectionSet, type.getFields(), 1, 1, null, cost);
      if (cost.depth > limits.maxDepth) {
        context.reportError(refusal(`the query nests ${cost.depth} levels; at most ${limits.maxDepth} are allowed`, cost));
      } else if (cost.total > limits.maxCost) {
        context.reportError(
          refusal(
            `the query's estimated cost is ${cost.total}; at most ${limits.maxCost} is allowed (ask for smaller pages or fewer nested lists)`,
            cost,
          ),
        );
      }
    },
  });
}

function refusal(message: string, cost: { total: number; depth: number }): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'query_too_complex', cost: cost.total, depth: cost.depth } });
}

type Fields = Record<string, GraphQLField<unknown, unknown>>;

function walk(
  context: ValidationContext,
  selections: SelectionSetNode,
  fields: Fields,
  multiplier: number,
  depth: number,
  pending: number | null,
  cost: { total: number; depth: number },
  seen: ReadonlySet<string> = new Set(),
): void {
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      visitField(context, selection, fields, multiplier, depth, pending, cost, seen);
      continue;
    }
    const fragment =
      selection.kind === Kind.FRAGMENT_SPREAD
        ? context.getFragment(selection.name.value)
        : { selectionSet: selection.selectionSet };
    const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
    // A fragment spreading itself is refused by the spec's own rule; it must not loop here meanwhile.
    if (!fragment || (name !== null && seen.has(name))) continue;
    walk(context, fragment.selectionSet, fields, multiplier, depth, pending, cost, name ? new Set([...seen, name]) : seen);
  }
}

function visitField(
  context: ValidationContext,
  node: FieldNode,
  fields: Fields,
  multiplier: number,
  depth: number,
  pending: number | null,
  cost: { total: number; depth: number },
  seen: ReadonlySet<string>,
): void {
  cost.total += multiplier;
  cost.depth = Math.max(cost.depth, depth);
  const field = fields[node.name.value];
  if (!field || !node.selectionSet) return;
  const asked = limitOf(node, field);
  let size = 1;
  let below: number | null = asked ?? pending;
  if (isList(field.type)) {
    size = asked ?? pending ?? UNBOUNDED_LIST;
    below = null;
  }
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return;
  walk(context, node.selectionSet, named.getFields(), multiplier * size, depth + 1, below, cost, seen);
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** The page size a field asks for: its `limit`, the largest page for a variable, its default otherwise. */
function limitOf(node: FieldNode, field: GraphQLField<unknown, unknown>): number | null {
  const declared = field.args.find((a) => a.name === 'limit');
  if (!declared) return null;
  const given = node.arguments?.find((a) => a.name.value === 'limit');
  if (!given) return typeof declared.defaultValue === 'number' ? declared.defaultValue : 100;
  if (given.value.kind === Kind.INT) return Math.max(1, Number(given.value.value));
  return LIMITS.listLimit;
}
