import type { GatewayConfig } from '../../src/config/load.js';
import type { EmulatorHandle } from '../../src/backends/module.js';
import { backendModules } from '../../src/backends/index.js';
import { startDemoDriver } from '../../src/demo-driver.js';
import { startEmulators, type Gateway } from '../../src/gateway.js';
import { startTestGateway, testConfig } from './gateway.js';

/** The embedded default in-process: demo emulators of every backend and a gateway over them. */
export interface DemoGateway {
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  /** `http://127.0.0.1:port/` (the dashboard) */
  readonly origin: string;
  readonly emulators: EmulatorHandle[];
  close(): Promise<void>;
}

export async function startDemoGateway(options: { tickMs?: number; overrides?: Record<string, unknown> } = {}): Promise<DemoGateway> {
  const { entries, emulators } = await startEmulators(undefined, { tickMs: options.tickMs ?? 100 });
  const config = testConfig({ polling: { intervalMs: 200, maxIntervalMs: 1000, listIntervalMs: 400 }, ...options.overrides });
  config.backends = entries;
  let gateway: Gateway;
  try {
    gateway = await startTestGateway(config);
  } catch (error) {
    await Promise.all(emulators.map((emulator) => emulator.close()));
    config.cleanup();
    throw error;
  }
  // As `npm start` does: SLV cannot list, so its demo batches are started through the gateway.
  const demo = startDemoDriver(gateway.service, backendModules);
  return {
    gateway,
    config,
    emulators,
    origin: gateway.url.replace(/graphql$/, ''),
    async close() {
      demo.dispose();
      await gateway.close();
      await Promise.all(emulators.map((emulator) => emulator.close()));
      config.cleanup();
    },
  };
}
