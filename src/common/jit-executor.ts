import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

const MAX_CACHED_DOCUMENTS = 1000;

/**
 * Compiles each operation once with graphql-jit and keeps it by document hash and operation name
 * (least recently used first out), so repeated operations skip graphql-js's interpretation.
 */
export class JitExecutorCache {
  readonly #compiled = new Map<string, CompiledQuery>();

  constructor(private readonly schema: GraphQLSchema) {}

  get size(): number {
    return this.#compiled.size;
  }

  readonly execute: GatewayExecutor = async (requestContext) => {
    const key = `${requestContext.queryHash}:${requestContext.operationName ?? ''}`;
    let compiled = this.#compiled.get(key);
    if (compiled) {
      // refresh recency
      this.#compiled.delete(key);
      this.#compiled.set(key, compiled);
    } else {
      const result = compileQuery(this.schema, requestContext.document, requestContext.operationName ?? undefined);
      if (!isCompiledQuery(result)) return result as ExecutionResult;
      compiled = result;
      this.#compiled.set(key, compiled);
      if (this.#compiled.size > MAX_CACHED_DOCUMENTS) {
        const oldest = this.#compiled.keys().next().value;
        if (oldest !== undefined) this.#compiled.delete(oldest);
      }
    }
    const result = await compiled.query(undefined, requestContext.context, requestContext.request.variables ?? {});
    return result.errors?.length ? { ...result, errors: result.errors.map(toGraphQLError) } : result;
  };
}

/**
 * Apollo Server executes operations through its `gateway` option: this one serves a fixed schema
 * and runs operations on graphql-jit. Apollo still parses, validates and runs its plugins.
 */
export function jitGateway(schema: GraphQLSchema): GatewayInterface & { cache: JitExecutorCache } {
  const cache = new JitExecutorCache(schema);
  return {
    cache,
    async load() {
      return { executor: cache.execute };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {
      return undefined;
    },
  };
}

interface JitError {
  message: string;
  path?: ReadonlyArray<string | number>;
  originalError?: Error | null;
  extensions?: Record<string, unknown>;
}

/**
 * graphql-jit reports errors with a look-alike class; Apollo (and our error formatting) expect
 * graphql-js's own `GraphQLError`, with the thrown error as `originalError`.
 */
function toGraphQLError(error: unknown): GraphQLError {
  // jit's errors pass `instanceof GraphQLError` but are built without graphql-js's constructor.
  const e = error as JitError;
  return new GraphQLError(e.message, {
    ...(e.path ? { path: e.path } : {}),
    ...(e.originalError ? { originalError: e.originalError } : {}),
    ...(e.extensions ? { extensions: e.extensions } : {}),
  });
}
