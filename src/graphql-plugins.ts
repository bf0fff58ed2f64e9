import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { App } from './app';
import { AppError, ErrorCode } from './common/errors';
import { checkQueryLimits } from './common/query-limits';
import type { Context } from './context';

/**
 * Per-operation work on the HTTP path: query limits before execution, and the request, duration
 * and error metrics after it.
 */
export function operationPlugin(app: App, schema: GraphQLSchema): ApolloServerPlugin<Context> {
  const { metrics } = app;
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ document, request, operationName }) {
          try {
            checkQueryLimits(schema, document, request.variables, operationName, app.config.queryLimits);
          } catch (error) {
            if (error instanceof AppError) {
              throw new GraphQLError(error.message, {
                originalError: error,
                extensions: { code: error.code, http: { status: 400 } },
              });
            }
            throw error;
          }
        },
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const original = error.originalError;
            const code =
              original instanceof AppError
                ? original.code
                : typeof error.extensions?.code === 'string'
                  ? error.extensions.code
                  : ErrorCode.INTERNAL_SERVER_ERROR;
            metrics.errors.inc({ operation: operationName ?? 'anonymous', code });
          }
        },
        async willSendResponse({ operationName, operation }) {
          const name = operationName ?? 'anonymous';
          metrics.requests.inc({ operation: name, type: operation?.operation ?? 'unknown' });
          metrics.duration.observe({ operation: name }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
