import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Span } from '@opentelemetry/api';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { ErrorCode, GatewayError } from '../core/errors.js';
import { createContext, type GraphQLContext } from '../graphql/context.js';
import type { TokenCheck } from './auth.js';
import { operationOf } from './document-cache.js';
import { variablesProblem } from './request-guards.js';
import { logMaskedErrors, startSubscriptionSpan } from './telemetry.js';
import { limitWsConnection } from './ws-limits.js';
import { formatLiveResult, sharedExecutionKey, type SubscriptionTransportOptions } from './subscription-transport.js';

export interface GraphqlWsOptions extends SubscriptionTransportOptions {
  httpServer: Server;
  tokens: TokenCheck;
  logger: Logger;
}

export interface GraphqlWs {
  /** Tells every client to go (1001 Going Away): they reconnect to another replica. */
  closeClients(): void;
  /** Completes the subscriptions still open (Apollo's drain step). */
  drain(): Promise<void>;
  /** Stops accepting sockets. */
  close(): void;
}

/**
 * graphql-ws on the HTTP server's `/graphql`: the origin check, token check, message and
 * subscription caps, and the same document rules as on HTTP.
 */
export function attachGraphqlWs(options: GraphqlWsOptions): GraphqlWs {
  const { httpServer, schema, config, tokens, origins, documents, shared, formatError, logger } = options;
  const wss = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.limits.maxWsMessageBytes,
    // A page on another site must not use a visitor's browser to reach the gateway (cross-site WebSocket hijacking).
    verifyClient: ({ req }, done) => (origins.allowsSocket(req) ? done(true) : done(false, 403, 'Origin not allowed')),
  });
  wss.on('connection', (socket) => limitWsConnection(socket, config.limits.maxWsMessagesPerSecond));
  const subscriptionsPerSocket = new WeakMap<object, number>();
  /** Each socket's open subscriptions' spans, by subscription id. */
  const spansPerSocket = new WeakMap<object, Map<string, Span>>();
  const endSpan = (socket: object, id: string) => {
    const spans = spansPerSocket.get(socket);
    spans?.get(id)?.end();
    spans?.delete(id);
  };
  const wsServer = useServer<{ authorization?: unknown }, { requestId: string }>(
    {
      schema,
      subscribe: (args) => shared.subscribe(args),
      connectionInitWaitTimeout: config.limits.wsConnectionInitTimeoutMs,
      onConnect: (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        // Refused sockets close with 4403 Forbidden, the graphql-ws code for a rejected connection_init.
        return tokens.accepts(typeof authorization === 'string' ? authorization : undefined);
      },
      onSubscribe: (ctx, id, payload) => {
        const count = (subscriptionsPerSocket.get(ctx.extra.socket) ?? 0) + 1;
        if (count > config.limits.maxSubscriptionsPerConnection) {
          return [new GatewayError(ErrorCode.BAD_USER_INPUT, `At most ${config.limits.maxSubscriptionsPerConnection} subscriptions per connection`)];
        }
        const variablesRefused = variablesProblem(payload.variables, config.limits);
        if (variablesRefused) return [new GatewayError(ErrorCode.BAD_USER_INPUT, variablesRefused.message)];
        // Parse and validate here (not in graphql-ws) so the token cap and abuse rules apply as on HTTP;
        // identical texts are checked once and share one document.
        const checked = documents.check(payload.query);
        if (checked.errors) return [...checked.errors];
        const document = checked.document;
        const { operation, error } = operationOf(document, payload.operationName);
        if (error) return [error];
        if (!config.websocket.allowMutations && operation.operation === OperationTypeNode.MUTATION) {
          return [new GatewayError(ErrorCode.BAD_USER_INPUT, 'Mutations are not accepted over WebSocket: send them over HTTP')];
        }
        subscriptionsPerSocket.set(ctx.extra.socket, count);
        const origin = origins.linkOrigin(ctx.extra.request);
        const contextValue = createContext({ ...options.context, origin, requestId: randomUUID() });
        const spans = spansPerSocket.get(ctx.extra.socket) ?? new Map<string, Span>();
        spansPerSocket.set(ctx.extra.socket, spans);
        spans.get(id)?.end();
        spans.set(id, startSubscriptionSpan(ctx.extra.request.headers, operation.name?.value, contextValue.requestId));
        shared.register(contextValue, sharedExecutionKey(payload, origin));
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onComplete: (ctx, id) => {
        endSpan(ctx.extra.socket, id);
        subscriptionsPerSocket.set(ctx.extra.socket, Math.max(0, (subscriptionsPerSocket.get(ctx.extra.socket) ?? 1) - 1));
      },
      onClose: (ctx) => {
        for (const span of spansPerSocket.get(ctx.extra.socket)?.values() ?? []) span.end();
        spansPerSocket.delete(ctx.extra.socket);
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        const formatted = formatLiveResult(result, formatError);
        if (formatted.masked.length > 0) logMaskedErrors(logger, formatted.masked, (args.contextValue as GraphQLContext | undefined)?.requestId);
        return formatted.result;
      },
      onError: (_ctx, _id, _payload, errors) => {
        // Errors graphql-ws raises itself reach clients only as "Internal error": their cause is logged.
        logMaskedErrors(logger, errors, undefined);
        return errors.map((error) => {
          const formatted = formatError(error.toJSON(), error);
          return new GraphQLError(formatted.message, { extensions: formatted.extensions });
        });
      },
    },
    wss,
    config.limits.wsKeepAliveMs,
  );
  return {
    closeClients: () => {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
    },
    drain: async () => {
      await wsServer.dispose();
    },
    close: () => void wss.close(),
  };
}
