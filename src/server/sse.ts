import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { getOperationAST, OperationTypeNode, type ExecutionResult, type GraphQLError } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { ErrorCode } from '../core/errors.js';
import { createContext, type GraphQLContext } from '../graphql/context.js';
import { operationOf, type DocumentCache } from './document-cache.js';
import { errorEnvelope, sendError } from './http-errors.js';
import { variablesProblem } from './request-guards.js';
import { startSubscriptionSpan } from './telemetry.js';
import { formatLiveResult, sharedExecutionKey, type SubscriptionTransportOptions } from './subscription-transport.js';

/** Where GraphQL over Server-Sent Events is served (graphql-sse, "distinct connections" mode). */
export const SSE_PATH = '/graphql/stream';

export interface SseRouteOptions extends SubscriptionTransportOptions {
  /** Sees the errors a client is sent only as "Internal error" (to log their cause). */
  onMasked?: (errors: readonly GraphQLError[], requestId: string) => void;
}

export interface SseRoute {
  /** Express handler for `SSE_PATH` (after auth and the JSON body parser). */
  readonly handle: (req: Request, res: Response, next: NextFunction) => void;
  /** Ends every open stream (shutdown): clients see the stream complete and may reconnect elsewhere. */
  readonly dispose: () => void;
}

const refusal = (status: number, message: string, code: string = ErrorCode.BAD_USER_INPUT) =>
  [JSON.stringify(errorEnvelope(message, code)), { status, statusText: message, headers: { 'content-type': 'application/json; charset=utf-8' } }] as const;

/**
 * Subscriptions (and queries) over Server-Sent Events, for clients behind proxies that block
 * WebSockets. The same rules as the WebSocket path apply: the caller mounts it behind the token
 * check; browsers from other origins are refused unless `cors.origins` lists them; documents go
 * through the same cache, token cap and abuse rules; variables through the same limits; mutations
 * only when `websocket.allowMutations` allows them on streams too.
 */
export function createSseRoute(options: SseRouteOptions): SseRoute {
  const { schema, config, documents, origins, shared, formatError } = options;
  const open = new Set<Response>();
  const handler = createHandler<GraphQLContext & Record<PropertyKey, unknown>>({
    schema,
    // Distinct connections only: no reservation tokens, one operation per request.
    authenticate: () => null,
    subscribe: (args) => shared.subscribe(args),
    onSubscribe: (req, params) => {
      const variablesRefused = variablesProblem(params.variables, config.limits);
      if (variablesRefused) return refusal(variablesRefused.status, variablesRefused.message);
      const checked = documents.check(typeof params.query === 'string' ? params.query : '');
      if (checked.errors) return refusal(400, checked.errors.map((error) => error.message).join('; '), 'GRAPHQL_VALIDATION_FAILED');
      const { operation, error } = operationOf(checked.document, params.operationName);
      if (error) return refusal(400, error.message, String(error.extensions['code']));
      if (operation.operation === OperationTypeNode.MUTATION && !config.websocket.allowMutations) {
        return refusal(400, `Mutations are not accepted over ${SSE_PATH}: send them to POST /graphql`);
      }
      const raw = req.raw;
      const contextValue = createContext({ ...options.context, origin: origins.linkOrigin(raw), requestId: String(req.context.res.locals['requestId'] ?? randomUUID()) });
      shared.register(contextValue, sharedExecutionKey(params, contextValue.origin));
      if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
        // One operation per request: its span lasts as long as the stream.
        const span = startSubscriptionSpan(raw.headers, operation.name?.value, contextValue.requestId);
        req.context.res.once('close', () => span.end());
      }
      return { schema, document: checked.document, operationName: params.operationName, variableValues: params.variables, contextValue: contextValue as GraphQLContext & Record<PropertyKey, unknown> };
    },
    onNext: (ctx, _req, result) => {
      if (!(result as ExecutionResult).errors) return result;
      const formatted = formatLiveResult(result as ExecutionResult, formatError);
      if (formatted.masked.length > 0) options.onMasked?.(formatted.masked, ctx.requestId);
      return formatted.result as ExecutionResult;
    },
  });

  return {
    handle: (req, res, next) => {
      // A browser on another site must not use a visitor's browser to hold streams open (as on the WebSocket path).
      if (!origins.allowsSocket(req)) {
        sendError(res, 403, 'Origin not allowed', 'FORBIDDEN');
        return;
      }
      open.add(res);
      res.once('close', () => open.delete(res));
      handler(req, res).catch(next);
    },
    dispose: () => {
      for (const res of open) res.end();
      open.clear();
    },
  };
}

/**
 * Answers a subscription sent to the plain HTTP endpoint with 400 and where to send it instead
 * (Apollo Server would run it as a query and fail with an internal error).
 */
export function refuseHttpSubscriptions(documents: DocumentCache, wsUrl: () => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const query = req.method === 'GET' ? req.query['query'] : typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { query?: unknown }).query : undefined;
    if (typeof query !== 'string' || !/\bsubscription\b/.test(query)) return next();
    const checked = documents.check(query);
    const operationName = req.method === 'GET' ? req.query['operationName'] : (body as { operationName?: unknown }).operationName;
    if (!checked.document || getOperationAST(checked.document, typeof operationName === 'string' ? operationName : undefined)?.operation !== OperationTypeNode.SUBSCRIPTION) return next();
    res.status(400).json({
      errors: [
        {
          message: `Subscriptions are served over WebSocket at ${wsUrl()} (graphql-transport-ws) or Server-Sent Events at ${SSE_PATH} (graphql-sse), not over plain HTTP`,
          extensions: { code: ErrorCode.BAD_USER_INPUT },
        },
      ],
    });
  };
}
