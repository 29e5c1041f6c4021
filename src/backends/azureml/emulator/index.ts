import type { EmulatorHandle, EmulatorStartOptions } from '../../module.js';
import { startEmulatorApp, type EmulatorHttpServer } from '../../emulator-kit/index.js';
import { createTokenStore, type TokenStore } from './auth.js';
import { createBatchStore, type BatchStore } from './batches.js';
import { startDemo } from './demo.js';
import { mlServerRoutes, sendError } from './routes.js';
import { defaultServices, type EmulatedService } from './services.js';

/**
 * An ML Server (9.x) operationalization endpoint on loopback: `/login` tokens, the services catalogue,
 * synchronous consume, and the batch API (start, list, status with partial results, cancel, per-record
 * files), speaking the wire format of docs/backends/azureml.md so the official SDK could talk to it.
 */

export interface AzureMlEmulatorOptions extends EmulatorStartOptions {
  /** @default 'admin' */
  username?: string;
  /** @default 'emulator-password' */
  password?: string;
  /** Access-token lifetime; shorten it to expire tokens mid-run. @default 3600000 */
  tokenLifetimeMs?: number;
  /** Clock for token expiry, replaceable in tests. @default Date.now */
  now?: () => number;
  /** What `…/batch/{id}/{index}/files` calls the first record (docs/backends/azureml.md). @default 1 */
  artifactIndexBase?: 0 | 1;
}

export interface AzureMlEmulator extends EmulatorHandle {
  readonly connection: { url: string; username: string; password: string };
  readonly services: readonly EmulatedService[];
  readonly batches: BatchStore;
  readonly tokens: TokenStore;
  /** Advances every batch `ticks` steps at once, on top of the timer (tests use a long `tickMs`). */
  advance(ticks?: number): void;
  /**
   * Services (`name/version`) whose batch list answers this HTTP status, as realtime-only services
   * (400) or services the user may not read (403) do on a real server.
   */
  readonly listFailures: Map<string, number>;
}

export async function startAzureMlEmulator(options: AzureMlEmulatorOptions = {}): Promise<AzureMlEmulator> {
  const username = options.username ?? 'admin';
  const password = options.password ?? 'emulator-password';
  const services = defaultServices();
  const tokens = createTokenStore({ username, password, tokenLifetimeMs: options.tokenLifetimeMs, now: options.now });
  const batches = createBatchStore();
  const listFailures = new Map<string, number>();
  const indexBase = options.artifactIndexBase ?? 1;
  const findService = (name: string, version: string) => services.find((s) => s.name === name && s.version === version);
  const onTick: Array<() => void> = [];
  const advance = (ticks = 1) => {
    for (let i = 0; i < ticks; i += 1) {
      batches.tick();
      for (const listener of onTick) listener();
    }
  };

  const http: EmulatorHttpServer = await startEmulatorApp(mlServerRoutes({ tokens, batches, services, findService, listFailures, indexBase }), {
    port: options.port,
    refuseCredentials: (_req, res) => sendError(res, 401, 'Unauthorized'),
  });
  const timer = setInterval(advance, options.tickMs ?? 1000);
  timer.unref();
  const demo = options.demo ? startDemo({ batches, services, onTick }) : null;

  return {
    url: http.origin,
    connection: { url: http.origin, username, password },
    http,
    services,
    batches,
    tokens,
    advance,
    listFailures,
    async close() {
      clearInterval(timer);
      demo?.stop();
      await http.close();
    },
  };
}
