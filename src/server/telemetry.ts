import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode, isGatewayError } from '../core/errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { tracer } from '../lib/tracing.js';

/**
 * The span of one GraphQL operation over HTTP, child of the client's `traceparent` if any. Mounted
 * after the body parser: the parser's stream callbacks would lose the active context, and
 * everything after it (Apollo, resolvers, upstream calls) runs inside it.
 */
export function traceOperations() {
  return (req: Request, res: Response, next: NextFunction) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      'graphql',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': '/graphql', 'batchgate.request_id': String(res.locals['requestId'] ?? '') } },
      parent,
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/**
 * The span of one subscription over a live transport (WebSocket, SSE), child of the `traceparent`
 * its connection was opened with; it lasts as long as the subscription. Live polls are shared by
 * every subscriber of a batch, so upstream calls are not its children.
 */
export function startSubscriptionSpan(headers: Record<string, string | string[] | undefined>, operationName: string | null | undefined, requestId: string): Span {
  return tracer().startSpan(
    `subscription ${operationName ?? 'anonymous'}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'graphql.operation.type': 'subscription', ...(operationName ? { 'graphql.operation.name': operationName } : {}), 'batchgate.request_id': requestId },
    },
    propagation.extract(ROOT_CONTEXT, headers),
  );
}

/** Names the operation's span (`query Listing`) and records the error codes of its answer. */
export function tracingPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          if (!operation) return;
          span.updateName(`${operation.operation} ${operationName ?? 'anonymous'}`);
          span.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ response, errors }) {
          const single = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = [...new Set([...(errors ?? []), ...single].map((error) => {
            const code = error.extensions?.['code'];
            return typeof code === 'string' ? code : 'UNKNOWN';
          }))];
          if (codes.length === 0) return;
          span.setAttribute('graphql.error.codes', codes);
          if (codes.includes(ErrorCode.INTERNAL_SERVER_ERROR)) span.setStatus({ code: SpanStatusCode.ERROR, message: 'internal error' });
        },
      };
    },
  };
}

/**
 * Internal errors (a client sees "Internal error", see graphql/format-error.ts, or an unexpected
 * error's code): logged here with their cause and the request id, so the id a client reports
 * leads to the cause.
 */
export function logMaskedErrors(logger: Logger, errors: readonly GraphQLError[] | undefined, requestId: string | undefined): void {
  for (const error of errors ?? []) {
    const original = unwrapResolverError(error);
    const code = isGatewayError(original) ? original.code : error.extensions?.['code'];
    if (code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR) continue;
    logger.error({ requestId, err: original ?? error, path: error.path }, 'internal error');
  }
}

/** `logMaskedErrors` for every GraphQL operation over HTTP. */
export function maskedErrorsPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          logMaskedErrors(logger, errors, contextValue.requestId);
        },
      };
    },
  };
}
