import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { getOperationAST, GraphQLError, OperationTypeNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { GatewayConfig } from '../config/load.js';
import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import { decodeBatchId } from '../core/ids.js';
import { createContext, type GraphQLContext } from '../graphql/context.js';
import { createFormatError } from '../graphql/format-error.js';
import { createValidationRules } from '../graphql/limits.js';
import { documentShapeError } from '../graphql/shape-limits.js';
import { createScrubber, type Scrubber } from '../lib/scrub.js';
import type { LiveHub } from '../live/events.js';
import type { BatchService } from '../service/batch-service.js';
import { legacyJsonStatusPlugin, observabilityPlugin, partialErrorsPlugin } from './apollo-plugins.js';
import { createTokenCheck } from './auth.js';
import type { GatewayMetrics } from './metrics.js';
import { createDocumentCache } from './document-cache.js';
import { startMetricsListener, type MetricsListener } from './metrics-listener.js';
import { createOriginPolicy, formatHost } from './origin.js';
import { limitDocumentShape, limitVariables, variablesProblem } from './request-guards.js';
import { createSharedSubscribe } from './shared-execution.js';
import { answerRefusedPreflight } from './preflight.js';
import { createSseRoute, refuseHttpSubscriptions, SSE_PATH } from './sse.js';
import { logMaskedErrors, maskedErrorsPlugin, traceOperations, tracingPlugin } from './telemetry.js';
import { limitWsConnection } from './ws-limits.js';
import { createPlaygroundAssets, PLAYGROUND_CSP, playgroundHtml } from './playground/playground.js';

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

/** One HTTP server: Apollo for queries and mutations, graphql-ws for subscriptions, same port and path. */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { config, schema, service, hub, metrics, logger } = options;
  const tokens = createTokenCheck(config.auth?.tokens);
  const scrubber = options.scrubber ?? createScrubber();
  const formatError = createFormatError({ development, scrubber });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const httpServer = createServer(app);
  httpServer.headersTimeout = 20_000;
  httpServer.requestTimeout = 120_000;
  const origins = createOriginPolicy(config, () => (httpServer.address() as AddressInfo | null)?.port ?? config.listen.port);

  const wss = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.limits.maxWsMessageBytes,
    // A page on another site must not use a visitor's browser to reach the gateway (cross-site WebSocket hijacking).
    verifyClient: ({ req }, done) => (origins.allowsSocket(req) ? done(true) : done(false, 403, 'Origin not allowed')),
  });
  wss.on('connection', (socket) => limitWsConnection(socket, config.limits.maxWsMessagesPerSecond));
  const subscriptionsPerSocket = new WeakMap<object, number>();
  const validationRules = createValidationRules(config.limits);
  // Identical subscriptions share one execution per event (see shared-execution.ts).
  const shared = createSharedSubscribe();
  const documents = createDocumentCache({
    schema,
    rules: validationRules,
    maxTokens: config.limits.maxTokens,
    precheck: (document) => documentShapeError(document, config.limits),
  });
  const sse = createSseRoute({ schema, config, documents, origins, shared, formatError, context: { service, hub, scrub: (text) => scrubber.text(text) }, onErrors: (errors, requestId) => logMaskedErrors(logger, errors, requestId) });
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
      onSubscribe: (ctx, _id, payload) => {
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
        if (!config.websocket.allowMutations && getOperationAST(document, payload.operationName)?.operation === OperationTypeNode.MUTATION) {
          return [new GatewayError(ErrorCode.BAD_USER_INPUT, 'Mutations are not accepted over WebSocket: send them over HTTP')];
        }
        subscriptionsPerSocket.set(ctx.extra.socket, count);
        const origin = origins.linkOrigin(ctx.extra.request);
        const contextValue = createContext({ service, hub, origin, requestId: randomUUID(), scrub: (text) => scrubber.text(text) });
        // Everything a subscription's result depends on besides the event itself.
        shared.register(contextValue, [payload.query, payload.operationName ?? '', JSON.stringify(payload.variables ?? {}), origin].join('\u0000'));
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onComplete: (ctx) => {
        subscriptionsPerSocket.set(ctx.extra.socket, Math.max(0, (subscriptionsPerSocket.get(ctx.extra.socket) ?? 1) - 1));
      },
      onNext: (_ctx, _id, _payload, args, result) => logMaskedErrors(logger, result.errors, (args.contextValue as GraphQLContext | undefined)?.requestId),
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatWsError(error, formatError)),
    },
    wss,
    config.limits.wsKeepAliveMs,
  );

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
              await wsServer.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.use((req, res, next) => {
    const requestId = headerValue(req.headers['x-request-id']) ?? randomUUID();
    res.locals['requestId'] = requestId.slice(0, 128);
    res.setHeader('x-request-id', res.locals['requestId'] as string);
    next();
  });
  app.use(cors(corsOptions(config.cors.origins)), answerRefusedPreflight);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  let shuttingDown = false;
  app.get('/readyz', async (req, res) => {
    const unready = shuttingDown ? 'shutting down' : await (options.readiness?.() ?? Promise.resolve(null));
    const failed = [...service.backends.keys()]
      .map((id) => ({ backend: id, ...service.healthOf(id) }))
      .filter((health) => !health.healthy)
      .map((health) => ({ backend: health.backend, code: health.error?.code ?? ErrorCode.BACKEND_UNAVAILABLE, message: scrubber.text(health.error?.message ?? 'not healthy') }));
    // With client tokens configured, only token holders learn which backends fail and why.
    const detailed = tokens.accepts(req.headers.authorization);
    // Backends whose last probe failed stay in the body (and in Backend.healthy, /metrics) but never
    // make the replica unready: every replica sees the same backends, so 503 would empty the pool.
    const body = unready ? { status: 'unready', reason: unready } : { status: 'ready' };
    res.status(unready ? 503 : 200).json(detailed && failed.length > 0 ? { ...body, failed } : body);
  });
  const metricsListener: MetricsListener | null = config.metrics.listen ? await startMetricsListener(config.metrics.listen, metrics.registry) : null;
  if (!metricsListener) {
    app.get('/metrics', async (req, res) => {
      if (!tokens.accepts(req.headers.authorization)) return void refuseWithoutToken(res);
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    });
  }
  const playgroundAssets = createPlaygroundAssets();
  if (config.graphql.playground) app.get('/playground/:file', (req, res, next) => {
    playgroundAssets.get(String(req.params['file'])).then((asset) => {
      if (!asset) return void res.status(404).json({ errors: [{ message: 'No such playground file', extensions: { code: ErrorCode.NOT_FOUND } }] });
      res.setHeader('content-type', asset.type);
      res.setHeader('x-content-type-options', 'nosniff');
      // Revalidated each time: the bundle changes whenever the gateway is rebuilt.
      res.setHeader('cache-control', 'no-cache');
      // send() adds an ETag and answers a revalidation with 304, so the 5 MB bundle is sent once.
      res.send(asset.body);
    }, next);
  });
  app.get('/graphql', (req, res, next) => {
    // A browser asking for HTML gets the playground; GraphQL clients ask for JSON.
    if (!config.graphql.playground || req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) !== 'text/html') return next();
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-security-policy', PLAYGROUND_CSP);
    // Start reading (or building) the bundle while the browser parses the page; a failure is
    // reported by the request for the file itself.
    playgroundAssets.get('app.js').catch(() => undefined);
    res.end(playgroundHtml({ authRequired: tokens.enabled }));
  });

  const requireToken = (req: Request, res: Response, next: NextFunction) => {
    if (tokens.accepts(req.headers.authorization)) return next();
    refuseWithoutToken(res);
  };

  app.get('/artifacts/:id/:index/:name', requireToken, async (req, res) => {
    try {
      const { backendId, nativeId } = decodeBatchId(String(req.params['id']));
      const index = Number(req.params['index']);
      if (!Number.isInteger(index) || index < 0) throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'index: expected a non-negative integer');
      const name = String(req.params['name']);
      checkArtifactName(name);
      // Only names the backend lists are fetched: nothing else of the backend is reachable through this route.
      const listed = await service.artifacts(backendId, nativeId, index);
      if (!listed.some((artifact) => artifact.name === name && artifact.externalUrl === null)) {
        throw new GatewayError(ErrorCode.NOT_FOUND, 'This execution has no artifact of that name', { backend: backendId });
      }
      const artifact = await service.openArtifact(backendId, nativeId, index, name);
      res.status(200);
      res.setHeader('content-type', artifact.contentType ?? 'application/octet-stream');
      if (artifact.contentLength !== null) res.setHeader('content-length', String(artifact.contentLength));
      res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      res.setHeader('x-content-type-options', 'nosniff');
      await pipeline(artifact.body, res);
    } catch (error) {
      const gatewayError = toGatewayError(error);
      if (res.headersSent) return void res.destroy();
      const formatted = formatError(gatewayError.toJSON(), gatewayError);
      res.status(httpStatusFor(gatewayError.code)).json({ errors: [formatted] });
    }
  });

  if (config.dashboard.enabled) options.routes?.(app);

  app.use(SSE_PATH, requireToken, express.json({ limit: config.limits.maxBodyBytes }), limitDocumentShape(config.limits), sse.handle);
  app.use(
    '/graphql',
    requireToken,
    express.json({ limit: config.limits.maxBodyBytes }),
    limitVariables(config.limits),
    limitDocumentShape(config.limits),
    refuseHttpSubscriptions(documents, () => url.replace(/^http/, 'ws')),
    traceOperations(),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createContext({ service, hub, origin: origins.linkOrigin(req), requestId: String(res.locals['requestId']), scrub: (text) => scrubber.text(text) }),
    }),
  );

  // Unknown paths answer like every other error here: JSON with a code, not Express's HTML page.
  app.use((req, res) => {
    res.status(404).json({ errors: [{ message: `Nothing is served at ${req.method} ${req.path.slice(0, 200)}`, extensions: { code: ErrorCode.NOT_FOUND } }] });
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // Body-parser errors (too large, bad JSON) and anything else thrown in a route.
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    // Any 4xx here is the client's request (too large, bad JSON, unsupported charset or encoding).
    const code = status >= 400 && status < 500 ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL_SERVER_ERROR;
    const message =
      status === 413 ? 'The request body is too large' : status === 400 ? 'The request body is not valid JSON' : status < 500 ? 'The request body cannot be read' : 'Internal error';
    if (status >= 500) logger.error({ err: error, requestId: res.locals['requestId'] }, 'unhandled route error');
    if (!res.headersSent) res.status(status).json({ errors: [{ message, extensions: { code } }] });
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
        for (const client of wss.clients) client.close(1001, 'Server shutting down');
        sse.dispose();
        await apollo.stop();
        wss.close();
        await metricsListener?.close();
      })();
      return closing;
    },
  };
}

function formatWsError(error: GraphQLError, formatError: ReturnType<typeof createFormatError>) {
  const formatted = formatError(error.toJSON(), error);
  return new GraphQLError(formatted.message, { extensions: formatted.extensions });
}

function httpStatusFor(code: string): number {
  switch (code) {
    case ErrorCode.BAD_USER_INPUT:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.BATCH_NOT_FOUND:
    case ErrorCode.BACKEND_NOT_FOUND:
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.UNSUPPORTED:
      return 501;
    case ErrorCode.BACKEND_TIMEOUT:
      return 504;
    case ErrorCode.BACKEND_UNAVAILABLE:
    case ErrorCode.BACKEND_UNAUTHORIZED:
    case ErrorCode.BACKEND_ERROR:
      return 502;
    default:
      return 500;
  }
}

function corsOptions(origins: readonly string[]): cors.CorsOptions {
  if (origins.includes('*')) return { origin: true, credentials: false, maxAge: 600 };
  return { origin: origins.length > 0 ? [...origins] : false, credentials: false, maxAge: 600 };
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function refuseWithoutToken(res: Response): void {
  res.status(401).setHeader('www-authenticate', 'Bearer realm="batchgate"');
  res.json({ errors: [{ message: 'A valid bearer token is required', extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
}

/**
 * An artifact name is one path segment: no separators, no dot segments, also once decoded again (a
 * backend or proxy may decode what the gateway sends), so it can never name a parent path upstream.
 */
function checkArtifactName(name: string): void {
  let decoded = name;
  for (let round = 0; round < 3; round += 1) {
    if (decoded === '' || decoded === '.' || decoded === '..' || hasSeparatorOrControl(decoded)) {
      throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'name: expected a file name without path separators or dot segments', { extensions: { field: 'name' } });
    }
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) return;
      decoded = next;
    } catch {
      return;
    }
  }
}

/** A path separator or a control character: never part of an artifact's name. */
function hasSeparatorOrControl(name: string): boolean {
  return [...name].some((char) => char === '/' || char === '\\' || char.charCodeAt(0) < 0x20);
}
