import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../graphql/context.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * Errors reported beside data (a backend that failed inside a listing) join the response's
 * `errors` here, formatted like every other error.
 */
export function partialErrorsPlugin(format: (error: Error) => unknown): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (contextValue.partialErrors.length === 0 || response.body.kind !== 'single') return;
          const extra = contextValue.partialErrors.map((error) => format(error));
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...(extra as NonNullable<typeof result.errors>)];
        },
      };
    },
  };
}

/** Most distinct operation names kept as metric labels; later ones count as "other". */
const MAX_OPERATION_LABELS = 200;
const operationLabels = new Set<string>();

/**
 * Operation names come from clients: each new one would be a new time series for ever. Well-formed
 * names are kept up to a cap, anything else is "other", so no client can grow /metrics without bound.
 */
export function operationLabel(name: string): string {
  if (operationLabels.has(name)) return name;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) || operationLabels.size >= MAX_OPERATION_LABELS) return 'other';
  operationLabels.add(name);
  return name;
}

/** One log line and one metric sample per operation: name, type, duration, request id, error codes. */
export function observabilityPlugin(logger: Logger, metrics: GatewayMetrics): ApolloServerPlugin<GraphQLContext & BaseContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, operation, errors, response, contextValue: context }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const name = operationName ?? 'anonymous';
          const type = operation?.operation ?? 'unknown';
          const singleErrors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = [...(errors ?? []), ...singleErrors].map((error) => { const code = error.extensions?.['code']; return typeof code === 'string' ? code : 'UNKNOWN'; });
          const label = operationLabel(name);
          metrics.requests.inc({ operation: label, type, outcome: codes.length > 0 ? 'error' : 'ok' });
          metrics.requestDuration.observe({ operation: label, type }, seconds);
          logger.info(
            { requestId: context.requestId ?? contextValue.requestId, operation: name, type, durationMs: Math.round(seconds * 10000) / 10, errors: codes.length ? codes : undefined },
            'graphql request',
          );
        },
      };
    },
  };
}

const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/**
 * GraphQL over HTTP: a client that accepts only `application/json` (the legacy media type) should
 * get 200 for a document that fails to parse, validate or coerce its variables, with the errors in
 * the body; `application/graphql-response+json` clients keep the 4xx.
 */
export function legacyJsonStatusPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request }) {
      const accept = request.http?.headers.get('accept') ?? '';
      if (accept.includes('application/graphql-response+json') || !accept.includes('application/json')) return;
      return {
        async willSendResponse({ response, errors }) {
          if (response.http.status !== 400 || !errors?.length) return;
          if (errors.every((error) => REQUEST_ERROR_CODES.has(String(error.extensions?.['code'])))) response.http.status = 200;
        },
      };
    },
  };
}
