import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/load.js';
import { ErrorCode } from '../core/errors.js';
import { createContext, type GraphQLContext } from '../graphql/context.js';
import type { BatchService } from '../service/batch-service.js';
import { ARTIFACTS_ROUTE, createArtifactRoute } from './artifacts.js';
import type { TokenCheck } from './auth.js';
import type { DocumentCache } from './document-cache.js';
import { answerNotFound, answerRouteError, refuseWithoutToken, sendError } from './http-errors.js';
import type { GatewayMetrics } from './metrics.js';
import type { OriginPolicy } from './origin.js';
import { createPlaygroundAssets, PLAYGROUND_CSP, playgroundHtml } from './playground/playground.js';
import { answerRefusedPreflight } from './preflight.js';
import { limitDocumentShape, limitVariables } from './request-guards.js';
import { refuseHttpSubscriptions, SSE_PATH, type SseRoute } from './sse.js';
import { traceOperations } from './telemetry.js';

export interface HttpRoutesOptions {
  config: GatewayConfig;
  service: BatchService;
  tokens: TokenCheck;
  origins: OriginPolicy;
  documents: DocumentCache;
  apollo: ApolloServer<GraphQLContext>;
  sse: SseRoute;
  /** The parts of a request context that do not depend on the request. */
  context: Omit<Parameters<typeof createContext>[0], 'origin' | 'requestId'>;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
  /** Served at `/metrics`, or null when they have an address of their own (`metrics.listen`). */
  metrics: GatewayMetrics | null;
  /** Why this replica cannot serve right now, or null when it can (see `GatewayServerOptions.readiness`). */
  readiness: () => Promise<string | null>;
  /** The WebSocket URL that HTTP subscription requests are sent to. */
  wsUrl: () => string;
  /** Extra routes mounted before GraphQL (the dashboard). */
  routes?: (app: express.Express) => void;
}

/** The Express app, before any route. */
export function createHttpApp(config: GatewayConfig): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  return app;
}

/** Every HTTP route: probes, metrics, playground, artifacts, the dashboard, GraphQL over SSE and HTTP. */
export function mountHttpRoutes(app: express.Express, options: HttpRoutesOptions): void {
  const { config, service, tokens, context } = options;
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
  app.get('/readyz', async (req, res) => {
    const unready = await options.readiness();
    const failed = [...service.backends.keys()]
      .map((id) => ({ backend: id, ...service.healthOf(id) }))
      .filter((health) => !health.healthy)
      .map((health) => ({ backend: health.backend, code: health.error?.code ?? ErrorCode.BACKEND_UNAVAILABLE, message: context.scrub(health.error?.message ?? 'not healthy') }));
    // With client tokens configured, only token holders learn which backends fail and why.
    const detailed = tokens.accepts(req.headers.authorization);
    // Backends whose last probe failed stay in the body (and in Backend.healthy, /metrics) but never
    // make the replica unready: every replica sees the same backends, so 503 would empty the pool.
    const body = unready ? { status: 'unready', reason: unready } : { status: 'ready' };
    res.status(unready ? 503 : 200).json(detailed && failed.length > 0 ? { ...body, failed } : body);
  });
  const { metrics } = options;
  if (metrics) {
    app.get('/metrics', async (req, res) => {
      if (!tokens.accepts(req.headers.authorization)) return void refuseWithoutToken(res);
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    });
  }
  if (config.graphql.playground) mountPlayground(app, tokens);

  const requireToken = (req: Request, res: Response, next: NextFunction) => {
    if (tokens.accepts(req.headers.authorization)) return next();
    refuseWithoutToken(res);
  };
  app.get(ARTIFACTS_ROUTE, requireToken, createArtifactRoute(service, options.formatError));

  if (config.dashboard.enabled) options.routes?.(app);

  app.use(SSE_PATH, requireToken, express.json({ limit: config.limits.maxBodyBytes }), limitDocumentShape(config.limits), options.sse.handle);
  app.use(
    '/graphql',
    requireToken,
    express.json({ limit: config.limits.maxBodyBytes }),
    limitVariables(config.limits),
    limitDocumentShape(config.limits),
    refuseHttpSubscriptions(options.documents, options.wsUrl),
    traceOperations(),
    expressMiddleware(options.apollo, {
      context: async ({ req, res }) => createContext({ ...context, origin: options.origins.linkOrigin(req), requestId: String(res.locals['requestId']) }),
    }),
  );

  app.use(answerNotFound);
  app.use(answerRouteError(options.logger));
}

/** GraphiQL: the page at `GET /graphql` for browsers asking for HTML, its bundle under `/playground/`. */
function mountPlayground(app: express.Express, tokens: TokenCheck): void {
  const playgroundAssets = createPlaygroundAssets();
  app.get('/playground/:file', (req, res, next) => {
    playgroundAssets.get(String(req.params['file'])).then((asset) => {
      if (!asset) return void sendError(res, 404, 'No such playground file', ErrorCode.NOT_FOUND);
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
    if (req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) !== 'text/html') return next();
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-security-policy', PLAYGROUND_CSP);
    // Start reading (or building) the bundle while the browser parses the page; a failure is
    // reported by the request for the file itself.
    playgroundAssets.get('app.js').catch(() => undefined);
    res.end(playgroundHtml({ authRequired: tokens.enabled }));
  });
}

function corsOptions(origins: readonly string[]): cors.CorsOptions {
  if (origins.includes('*')) return { origin: true, credentials: false, maxAge: 600 };
  return { origin: origins.length > 0 ? [...origins] : false, credentials: false, maxAge: 600 };
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
