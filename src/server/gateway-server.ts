import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type express from 'express';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/load.js';
import type { GraphQLContext } from '../graphql/context.js';
import { createFormatError } from '../graphql/format-error.js';
import { createValidationRules } from '../graphql/limits.js';
import { documentShapeError } from '../graphql/shape-limits.js';
import { createScrubber, type Scrubber } from '../lib/scrub.js';
import type { LiveHub } from '../live/events.js';
import type { BatchService } from '../service/batch-service.js';
import { legacyJsonStatusPlugin, observabilityPlugin, partialErrorsPlugin } from './apollo-plugins.js';
import { createTokenCheck } from './auth.js';
import { createDocumentCache } from './document-cache.js';
import { attachGraphqlWs } from './graphql-ws.js';
import { createHttpApp, mountHttpRoutes } from './http-app.js';
import type { GatewayMetrics } from './metrics.js';
import { startMetricsListener } from './metrics-listener.js';
import { createOriginPolicy, formatHost } from './origin.js';
import { createSharedSubscribe } from './shared-execution.js';
import { createSseRoute } from './sse.js';
import { logMaskedErrors, maskedErrorsPlugin, tracingPlugin } from './telemetry.js';

export interface GatewayServerOptions {
  config: GatewayConfig;
  schema: GraphQLSchema;
  service: BatchService;
  hub: LiveHub;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Removes credentials from backend text before it leaves (errors, /readyz). @default configured secrets unknown: shapes only */
  scrubber?: Scrubber;
  /** Extra routes mounted before GraphQL (the dashboard). */
  routes?: (app: express.Express) => void;
  /**
   * Why this replica cannot serve (its store unreachable), or null when it can. Backends are not
   * asked: one backend down never takes a replica out of its load balancer. @default always ready
   */
  readiness?: () => Promise<string | null>;
}

export interface GatewayServer {
  readonly url: string;
  readonly port: number;
  readonly httpServer: Server;
  /** `http://host:port/metrics` when `metrics.listen` serves metrics on an address of their own. */
  readonly metricsUrl: string | null;
  /** Stops accepting, closes subscriptions with 1001, lets in-flight requests finish. */
  close(): Promise<void>;
}

const development = process.env['NODE_ENV'] === 'development';

/**
 * One HTTP server: Apollo for queries and mutations, graphql-ws for subscriptions, same port and
 * path. The HTTP routes live in `http-app.ts`, the WebSocket side in `graphql-ws.ts`.
 */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { config, schema, service, hub, metrics, logger } = options;
  const tokens = createTokenCheck(config.auth?.tokens);
  const scrubber = options.scrubber ?? createScrubber();
  const formatError = createFormatError({ development, scrubber });
  const context = { service, hub, scrub: (text: string) => scrubber.text(text) };
  const app = createHttpApp(config);
  const httpServer = createServer(app);
  httpServer.headersTimeout = 20_000;
  httpServer.requestTimeout = 120_000;
  const origins = createOriginPolicy(config, () => (httpServer.address() as AddressInfo | null)?.port ?? config.listen.port);

  const validationRules = createValidationRules(config.limits);
  // Identical subscriptions share one execution per event (see shared-execution.ts).
  const shared = createSharedSubscribe();
  const documents = createDocumentCache({
    schema,
    rules: validationRules,
    maxTokens: config.limits.maxTokens,
    precheck: (document) => documentShapeError(document, config.limits),
  });
  const sse = createSseRoute({ schema, config, documents, origins, shared, formatError, context, onMasked: (errors, requestId) => logMaskedErrors(logger, errors, requestId) });
  const ws = attachGraphqlWs({ httpServer, schema, config, tokens, origins, documents, shared, context, formatError, logger });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.graphql.introspection,
    csrfPrevention: true,
    // The gateway owns shutdown (main.ts): Apollo's own signal handler would race it and hang the close.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: development,
    formatError,
    validationRules,
    parseOptions: { maxTokens: config.limits.maxTokens },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used; the default cache-control plugin would wrap every field resolver
      // (also those graphql-ws runs) with a per-field hook, a measurable cost per query and event.
      ApolloServerPluginCacheControlDisabled(),
      partialErrorsPlugin((error) => formatError((error as GraphQLError).toJSON(), error)),
      observabilityPlugin(logger, metrics),
      maskedErrorsPlugin(logger),
      tracingPlugin(),
      legacyJsonStatusPlugin(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await ws.drain();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  let shuttingDown = false;
  const metricsListener = config.metrics.listen ? await startMetricsListener(config.metrics.listen, metrics.registry) : null;
  mountHttpRoutes(app, {
    config,
    service,
    tokens,
    origins,
    documents,
    apollo,
    sse,
    context,
    formatError,
    logger,
    metrics: metricsListener ? null : metrics,
    readiness: async () => (shuttingDown ? 'shutting down' : ((await options.readiness?.()) ?? null)),
    wsUrl: () => url.replace(/^http/, 'ws'),
    routes: options.routes,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.listen.port, config.listen.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${formatHost(config.listen.host)}:${port}/graphql`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    httpServer,
    metricsUrl: metricsListener?.url ?? null,
    close() {
      shuttingDown = true;
      closing ??= (async () => {
        ws.closeClients();
        sse.dispose();
        await apollo.stop();
        ws.close();
        await metricsListener?.close();
      })();
      return closing;
    },
  };
}
