import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backendModules } from './backends/index.js';
import { ConfigError, loadConfigFile, validateConfig, type GatewayConfig } from './config/load.js';
import type { EmulatorHandle } from './backends/module.js';
import { startDemoDriver } from './demo-driver.js';
import { createLogger, startEmulators, startGateway } from './gateway.js';

/** Entry point: args + env → config → emulators (embedded default) → gateway → the URL line. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, allowPositionals: false, strict: true });
  const file = values.config ?? process.env['BATCHGATE_CONFIG'];

  let config: GatewayConfig;
  try {
    config = file ? loadConfigFile(file, { modules: backendModules }) : validateConfig({}, '(embedded default)', { modules: backendModules });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (process.env['PORT'] !== undefined) config.listen.port = parsePort(process.env['PORT']);
  if (process.env['HOST']) config.listen.host = process.env['HOST'];

  const logger = createLogger(config.log.level);
  let emulators: EmulatorHandle[] = [];
  let embeddedStore: string | null = null;
  if (config.backends.length === 0) {
    const embedded = await startEmulators(backendModules);
    emulators = embedded.emulators;
    // The emulators' batches live only as long as this process, so their records do too: a fresh
    // store each run, so no batch of an earlier run's emulators shows up as BATCH_NOT_FOUND.
    embeddedStore = mkdtempSync(join(tmpdir(), 'batchgate-embedded-'));
    config = { ...config, backends: embedded.entries, store: { ...config.store, path: embeddedStore } };
    logger.info({ backends: embedded.entries.map((entry) => `${entry.id} (${entry.kind})`) }, 'no backends configured: running the built-in emulators with demo batches');
  }

  const gateway = await startGateway(config, { logger });
  const demo = emulators.length > 0 ? startDemoDriver(gateway.service, backendModules, { logger }) : null;
  // The contract's start-up line: tools wait for it.
  process.stdout.write(`batchgate ready at ${gateway.url} (playground: open it in a browser; dashboard: ${gateway.url.replace(/\/graphql$/, '/')})\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    deadline.unref();
    demo?.dispose();
    await gateway.close();
    await Promise.all(emulators.map((emulator) => emulator.close()));
    if (embeddedStore) rmSync(embeddedStore, { recursive: true, force: true });
    logger.info('stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`PORT: expected an integer from 0 to 65535, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return port;
}

main().catch((error: unknown) => {
  process.stderr.write(`batchgate failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
