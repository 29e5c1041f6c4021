import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { backendModules } from '../../src/backends/index.js';
import { validateConfig, type GatewayConfig } from '../../src/config/load.js';
import { startGateway, type Gateway, type GatewayDependencies } from '../../src/gateway.js';

/** The one way tests start a gateway in-process: on 127.0.0.1 port 0, with a fresh temp store and quiet logs. */

export interface TestGateway {
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  /** `http://127.0.0.1:port/graphql` */
  readonly url: string;
  /** `ws://127.0.0.1:port/graphql` */
  readonly wsUrl: string;
  /** Closes the gateway and removes its temp store (unless the caller passed `store.path`). */
  close(): Promise<void>;
}

export interface TestGatewayOptions extends GatewayDependencies {
  /**
   * Small upstream timeouts and fast polling underneath `overrides`, so faults show quickly.
   * @default false
   */
  fastFaults?: boolean;
  /** Backend entries set after validation, as `npm start` sets its embedded emulators' (no defaults filled in). */
  embeddedBackends?: GatewayConfig['backends'];
  /** Gateway log lines at this level and above go to stderr (a test's output shows them when it fails). @default 'silent' */
  logLevel?: string;
}

const FAST_FAULTS = {
  polling: { intervalMs: 100, maxIntervalMs: 800, listIntervalMs: 200 },
  upstream: { timeoutMs: 300, probeIntervalMs: 200, halfOpenAfterMs: 200 },
};

/** Starts a gateway; `overrides` (any config fields, `backends` included) merge deeply on top of the test defaults. */
export async function startTestGateway(overrides: Record<string, unknown> = {}, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const { fastFaults = false, embeddedBackends, logLevel = 'silent', ...dependencies } = options;
  const ownStore = !(isRecord(overrides['store']) && typeof overrides['store']['path'] === 'string');
  const folder = ownStore ? mkdtempSync(join(tmpdir(), 'batchgate-test-')) : null;
  const base = { listen: { host: '127.0.0.1', port: 0 }, store: { path: folder }, log: { level: 'silent' } };
  const raw = deepMerge(fastFaults ? deepMerge(base, FAST_FAULTS) : base, overrides);
  const removeStore = () => folder && rmSync(folder, { recursive: true, force: true });
  let config: GatewayConfig;
  let gateway: Gateway;
  try {
    config = validateConfig(raw, 'test', { modules: backendModules });
    if (embeddedBackends) config = { ...config, backends: embeddedBackends };
    const logger = logLevel === 'silent' ? pino({ level: 'silent' }) : pino({ level: logLevel }, pino.destination(2));
    gateway = await startGateway(config, { logger, ...dependencies });
  } catch (error) {
    removeStore();
    throw error;
  }
  return {
    gateway,
    config,
    origin: gateway.url.replace(/\/graphql$/, ''),
    url: gateway.url,
    wsUrl: gateway.url.replace(/^http/, 'ws'),
    async close() {
      await gateway.close();
      removeStore();
    },
  };
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    merged[key] = isRecord(value) && isRecord(merged[key]) ? deepMerge(merged[key], value) : value;
  }
  return merged;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
