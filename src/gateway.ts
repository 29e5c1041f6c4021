import type { Logger } from 'pino';
import { backendModules } from './backends/index.js';
import type { GatewayConfig } from './config/load.js';
import type { BatchBackend } from './core/backend.js';
import type { BackendModule, EmulatorHandle } from './backends/module.js';
import { createSchema } from './graphql/schema.js';
import type { Coordinator } from './live/coordinator.js';
import type { LiveHub } from './live/events.js';
import { createHub } from './live/hub.js';
import { configuredSecrets, createScrubber } from './lib/scrub.js';
import { createLogger, scrubLogs } from './logger.js';
import { attachDashboard, startFormsOf } from './server/dashboard.js';
import { startGatewayServer, type GatewayServer } from './server/gateway-server.js';
import { createMetrics, type GatewayMetrics } from './server/metrics.js';
import { BatchService } from './service/batch-service.js';
import { createSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';

export interface Gateway {
  /** `http://host:port/graphql` */
  readonly url: string;
  readonly port: number;
  /** `http://host:port/metrics` when `metrics.listen` gives metrics an address of their own, else null (they are at `/metrics`). */
  readonly metricsUrl: string | null;
  readonly service: BatchService;
  readonly hub: LiveHub;
  readonly metrics: GatewayMetrics;
  /** Graceful stop: stop accepting, finish in-flight requests, close subscriptions, dispose in reverse order. */
  close(): Promise<void>;
}

export interface GatewayDependencies {
  modules?: readonly BackendModule[];
  logger?: Logger;
  /** Replaces the store the config names (tests). */
  store?: Store;
  /** Replaces the connectors built from config (tests with in-memory backends). */
  backends?: BatchBackend[];
  coordinator?: Coordinator;
  /** Poll hook for tests that count polls. */
  onPoll?: (kind: 'batch' | 'list', key: string) => void;
}

/**
 * What an operator should know about the Node.js the gateway runs on, or null. Node.js 20 still runs
 * it, but is past its end of life, and the AWS SDK's releases from January 2027 need Node.js 22.
 */
export function nodeSupportWarning(version: string): string | null {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major) || major >= 22) return null;
  return `Node.js ${version} is past its end of life: the gateway runs on it, but AWS SDK releases from January 2027 need Node.js 22 or later; run it on Node.js 22 or 24`;
}

/** Builds and starts everything a config describes. */
export async function startGateway(config: GatewayConfig, dependencies: GatewayDependencies = {}): Promise<Gateway> {
  const modules = dependencies.modules ?? backendModules;
  const logger = dependencies.logger ?? createLogger(config.log.level);
  // Built once from every configured secret; applied where backend text leaves (errors, /readyz, logs).
  const scrubber = createScrubber(
    configuredSecrets(config.backends as never, (kind) => modules.find((module) => module.kind === kind)?.secretFields ?? [], config.auth?.tokens),
  );
  scrubLogs(logger, (text) => scrubber.text(text));
  const nodeWarning = nodeSupportWarning(process.version);
  if (nodeWarning) logger.warn({ node: process.version }, nodeWarning);
  const metrics = createMetrics();
  const disposers: Array<() => Promise<void>> = [];
  try {
    const shared = await createSharedState(config, dependencies, logger);
    disposers.push(shared.dispose);
    const backends =
      dependencies.backends ??
      config.backends.map((entry) => {
        const module = modules.find((candidate) => candidate.kind === entry.kind);
        if (!module) throw new Error(`No module for backend kind ${entry.kind}`);
        return module.create(entry, {
          timeoutMs: config.upstream.timeoutMs,
          maxStreams: config.upstream.maxStreams,
          streamIdleMs: config.upstream.streamIdleMs,
          onUpstreamCall: (call) => {
            metrics.onUpstreamCall(call);
            logger.debug({ upstream: call }, 'upstream call');
          },
          onWarning: (warning) => {
            metrics.onBackendWarning(warning);
            if (warning.log) logger.warn({ backend: warning.backend, reason: warning.reason }, warning.message);
          },
        });
      });
    const service = new BatchService({
      backends,
      store: shared.store,
      cacheTtlMs: Math.min(config.upstream.cacheTtlMs, config.polling.intervalMs),
      callTimeoutMs: config.upstream.timeoutMs,
      maxInFlight: config.upstream.maxInFlight,
      failuresToOpen: config.upstream.failuresToOpen,
      halfOpenAfterMs: config.upstream.halfOpenAfterMs,
    });
    disposers.push(() => service.dispose());
    const hub = createHub({
      service,
      coordinator: shared.coordinator,
      intervalMs: config.polling.intervalMs,
      maxIntervalMs: config.polling.maxIntervalMs,
      listIntervalMs: config.polling.listIntervalMs,
      onPoll: dependencies.onPoll,
    });
    disposers.push(() => hub.dispose());
    metrics.setSubscriptionSource(() => hub.stats().subscribers);
    metrics.setStateSources({
      backends: () => [...service.backends.keys()].map((id) => ({ backend: id, up: service.healthOf(id).healthy, circuit: service.circuitStateOf(id) })),
      live: () => hub.stats(),
    });

    await service.probeAll();
    const probeTimer = setInterval(() => void service.probeAll(), config.upstream.probeIntervalMs);
    probeTimer.unref();
    disposers.push(async () => clearInterval(probeTimer));

    const server: GatewayServer = await startGatewayServer({
      config,
      schema: createSchema(modules),
      service,
      hub,
      metrics,
      logger,
      scrubber,
      routes: (app) => attachDashboard(app, { startForms: startFormsOf(modules) }),
      readiness: async () => {
        try {
          await shared.store.ping();
          return null;
        } catch {
          return 'record store unreachable';
        }
      },
    });
    disposers.push(() => server.close());

    let closing: Promise<void> | null = null;
    return {
      url: server.url,
      port: server.port,
      metricsUrl: server.metricsUrl,
      service,
      hub,
      metrics,
      close() {
        closing ??= (async () => {
          for (const dispose of disposers.reverse()) {
            await dispose().catch((error: unknown) => logger.warn({ err: error }, 'error while shutting down'));
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const dispose of disposers.reverse()) await dispose().catch(() => undefined);
    throw error;
  }
}

/** The store and the live coordinator: embedded by default, Redis when configured. */
async function createSharedState(
  config: GatewayConfig,
  dependencies: GatewayDependencies,
  logger: Logger,
): Promise<{ store: Store; coordinator: Coordinator | undefined; dispose: () => Promise<void> }> {
  if (dependencies.store || !config.redis) {
    const store = dependencies.store ?? createSqliteStore(config.store.path, { cacheMiB: config.store.cacheMiB });
    return { store, coordinator: dependencies.coordinator, dispose: () => store.dispose() };
  }
  const [{ openRedisConnections }, { createRedisStore }, { guardStore }, { createRedisCoordinator }] = await Promise.all([
    import('./lib/redis-connections.js'),
    import('./store/redis-store.js'),
    import('./store/guarded-store.js'),
    import('./live/redis-coordinator.js'),
  ]);
  const { keyPrefix } = config.redis;
  const connections = await openRedisConnections(config.redis.url, {
    onConnection: (change) =>
      change === 'lost'
        ? logger.warn('Redis connection lost: records, idempotency and shared live updates are unavailable until it returns')
        : logger.warn('Redis connection recovered'),
  });
  if (connections.persistenceWarning) logger.warn(connections.persistenceWarning);
  const { redis, subscriber } = connections;
  const store = guardStore(createRedisStore({ redis, keyPrefix }), { name: 'Redis', isConnected: () => redis.status === 'ready' });
  const coordinator = createRedisCoordinator({ redis, subscriber, keyPrefix });
  return {
    store,
    coordinator,
    async dispose() {
      await coordinator.dispose();
      await store.dispose();
      await connections.close();
    },
  };
}

/** The embedded default: an emulator of every backend, seeded with demo batches that make progress. */
export async function startEmulators(
  modules: readonly BackendModule[] = backendModules,
  options: { tickMs?: number } = {},
): Promise<{ entries: GatewayConfig['backends']; emulators: EmulatorHandle[] }> {
  const emulators: EmulatorHandle[] = [];
  const entries: GatewayConfig['backends'] = [];
  for (const module of modules) {
    const emulator = await module.startEmulator({ demo: true, ...(options.tickMs ? { tickMs: options.tickMs } : {}) });
    emulators.push(emulator);
    entries.push({ id: `demo-${module.kind}`, kind: module.kind, ...emulator.connection });
  }
  return { entries, emulators };
}

export { createLogger };
