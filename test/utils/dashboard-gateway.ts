import assert from 'node:assert/strict';
import { afterAll, beforeAll } from 'vitest';
import type { EmulatorHandle } from '../../src/backends/module.js';
import { backendModules } from '../../src/backends/index.js';
import { startDemoDriver } from '../../src/demo-driver.js';
import { startEmulators } from '../../src/gateway.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/** The embedded default in-process: demo emulators of every backend and a gateway over them. */
export interface DemoGateway extends TestGateway {
  readonly emulators: EmulatorHandle[];
}

export async function startDemoGateway(options: { tickMs?: number; overrides?: Record<string, unknown> } = {}): Promise<DemoGateway> {
  const { entries, emulators } = await startEmulators(undefined, { tickMs: options.tickMs ?? 100 });
  let started: TestGateway;
  try {
    // A demo gateway logs nothing at error level unless something is wrong: shown beside a failure.
    started = await startTestGateway({ polling: { intervalMs: 200, maxIntervalMs: 1000, listIntervalMs: 400 }, ...options.overrides }, { embeddedBackends: entries, logLevel: 'error' });
  } catch (error) {
    await Promise.all(emulators.map((emulator) => emulator.close()));
    throw error;
  }
  // As `npm start` does: SLV cannot list, so its demo batches are started through the gateway.
  const demo = startDemoDriver(started.gateway.service, backendModules);
  return {
    ...started,
    emulators,
    async close() {
      demo.dispose();
      await started.close();
      await Promise.all(emulators.map((emulator) => emulator.close()));
    },
  };
}

/** A demo gateway started before the enclosing suite's tests and closed after them; call the answer inside a test. */
export function demoGatewayForSuite(options: Parameters<typeof startDemoGateway>[0] = {}): () => DemoGateway {
  let demo: DemoGateway | undefined;
  beforeAll(async () => {
    demo = await startDemoGateway(options);
  });
  afterAll(async () => {
    await demo?.close();
  });
  return () => demo ?? assert.fail('the demo gateway did not start');
}
