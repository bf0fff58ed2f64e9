import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../config';
import { QueryTooComplexError } from './errors';

/** Rejects a request document larger than the configured number of bytes. */
export function checkDocumentSize(source: string | undefined, limits: QueryLimits): void {
  if (source !== undefined && Buffer.byteLength(source) > limits.maxBytes) {
    throw new QueryTooComplexError(`The document is larger than ${limits.maxBytes} bytes`, {
      limit: 'bytes',
      max: limits.maxBytes,
    });
  }
}

/**
 * Lists cost what they may return: a field with a `first` argument multiplies the cost of its
 * selection by it.
 */
const listEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' && args.first > 0 ? args.first : 1;
  return 1 + childComplexity * first;
};

interface Shape {
  depth: number;
  aliases: number;
  /** Cost by operation name and variables (a list's size may be a variable). */
  costs: Map<string, number>;
}

const MAX_COSTS_PER_DOCUMENT = 100;

/** Measurements of a parsed document, kept as long as the document (Apollo reuses parsed documents). */
const shapes = new WeakMap<DocumentNode, Shape>();

function measureShape(document: DocumentNode): Shape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  let aliases = 0;
  const depthOf = (set: SelectionSetNode, seen: Set<string>): number => {
    let max = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases += 1;
        const child = sel.selectionSet ? depthOf(sel.selectionSet, seen) : 0;
        max = Math.max(max, 1 + child);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(sel.selectionSet, seen));
      } else {
        const fragment = fragments.get(sel.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          max = Math.max(max, depthOf(fragment.selectionSet, new Set(seen).add(fragment.name.value)));
        }
      }
    }
    return max;
  };
  let depth = 0;
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) depth = Math.max(depth, depthOf(def.selectionSet, new Set()));
  }
  return { depth, aliases, costs: new Map() };
}

/**
 * Depth, alias and cost limits of one operation, checked on HTTP and WebSocket alike before the
 * operation runs. Throws {@link QueryTooComplexError}.
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limits: QueryLimits,
): void {
  let shape = shapes.get(document);
  if (!shape) {
    shape = measureShape(document);
    shapes.set(document, shape);
  }
  if (shape.depth > limits.maxDepth) {
    throw new QueryTooComplexError(`The query is ${shape.depth} levels deep; at most ${limits.maxDepth} are allowed`, {
      limit: 'depth',
      max: limits.maxDepth,
      actual: shape.depth,
    });
  }
  if (shape.aliases > limits.maxAliases) {
    throw new QueryTooComplexError(
      `The query uses ${shape.aliases} aliases; at most ${limits.maxAliases} are allowed`,
      { limit: 'aliases', max: limits.maxAliases, actual: shape.aliases },
    );
  }
  const costKey = `${operationName ?? ''}\n${variables ? JSON.stringify(variables) : ''}`;
  let cost = shape.costs.get(costKey);
  if (cost === undefined) {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
    if (shape.costs.size >= MAX_COSTS_PER_DOCUMENT) shape.costs.clear();
    shape.costs.set(costKey, cost);
  }
  if (cost > limits.maxCost) {
    throw new QueryTooComplexError(`The query costs ${cost}; at most ${limits.maxCost} is allowed`, {
      limit: 'cost',
      max: limits.maxCost,
      actual: cost,
    });
  }
}
