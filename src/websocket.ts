import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { App } from './app';
import { AppError, formatError } from './common/errors';
import { checkDocumentSize, checkQueryLimits } from './common/query-limits';
import { createContext } from './context';
import { bearerToken } from './modules/accounts/token.service';

type ConnectionParams = Record<string, unknown> | undefined;

/**
 * graphql-ws on the HTTP server's `/graphql` path. The token comes in
 * `connectionParams.authorization` and is checked for every operation; the same query limits as
 * over HTTP apply; errors are formatted (and masked) as over HTTP.
 */
export function attachWebSocketGraphql(options: { app: App; schema: GraphQLSchema; wsServer: WebSocketServer }) {
  const { app, schema, wsServer } = options;
  const { logger, metrics } = app;
  const openSubscriptions = new WeakMap<object, Set<string>>();
  const toClientError = (error: unknown) => {
    const graphqlError =
      error instanceof GraphQLError
        ? error
        : new GraphQLError(error instanceof Error ? error.message : 'error', {
            originalError: error instanceof Error ? error : undefined,
          });
    return formatError(graphqlError.toJSON(), graphqlError, logger);
  };

  return useServer<ConnectionParams>(
    {
      schema,
      context: async (ctx: WsContext<ConnectionParams, Extra>) => {
        const viewer = await app.viewers.resolve(bearerToken(ctx.connectionParams?.authorization));
        const ua = ctx.extra.request.headers['user-agent'];
        return createContext(app, viewer, {
          ip: ctx.extra.request.socket.remoteAddress ?? null,
          userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
          baseUrl: app.config.publicUrl ?? `http://${ctx.extra.request.headers.host ?? 'localhost'}`,
        });
      },
      onSubscribe: (_ctx, _id, payload) => {
        try {
          checkDocumentSize(payload.query, app.config.queryLimits);
          const document = parse(payload.query);
          const errors = validate(schema, document, specifiedRules);
          if (errors.length > 0) return errors;
          checkQueryLimits(
            schema,
            document,
            payload.variables ?? undefined,
            payload.operationName,
            app.config.queryLimits,
          );
          const args: ExecutionArgs = {
            schema,
            document,
            variableValues: payload.variables,
            operationName: payload.operationName,
          };
          return args;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          if (error instanceof AppError) return [new GraphQLError(error.message, { originalError: error })];
          throw error;
        }
      },
      onOperation: (ctx, id, _payload, args) => {
        const op = args.document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
        if (op?.kind !== Kind.OPERATION_DEFINITION || op.operation !== OperationTypeNode.SUBSCRIPTION) return;
        const ids = openSubscriptions.get(ctx) ?? new Set<string>();
        openSubscriptions.set(ctx, ids.add(id));
        metrics.subscriptions.inc();
      },
      onComplete: (ctx, id) => {
        if (openSubscriptions.get(ctx)?.delete(id)) metrics.subscriptions.dec();
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: result.errors.map(toClientError) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(toClientError),
    },
    wsServer,
  );
}
