import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backendModules } from './backends/index.js';
import { ConfigError, loadConfigFile, validateConfig, type GatewayConfig } from './config/load.js';
import type { EmulatorHandle } from './backends/module.js';
import { startDemoDriver } from './demo-driver.js';
import { createLogger, startEmulators, startGateway } from './gateway.js';
import { startTracing, type TracingHandle } from './lib/tracing.js';

const HELP = `Usage: batchgate serve [--config FILE]      (or: node dist/main.js [--config FILE])

Starts the gateway. Without a config file it runs the embedded default: emulators of every
backend kind with demo batches, federated on http://127.0.0.1:4000/graphql.

Options:
  --config FILE  the YAML config (default: $BATCHGATE_CONFIG; none = the embedded default)
  -h, --help     this text
  -V, --version  the version of batchgate

Environment: PORT, HOST (override listen), BATCHGATE_CONFIG, LOG_LEVEL (overrides log.level),
OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* variables (trace export; off when unset).
SIGTERM or SIGINT stops accepting, lets in-flight requests finish, closes subscriptions (1001),
and exits 0. Exit code 2: bad usage or a bad config; 1: start-up failed.
`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How long a drain may take before the process gives up on it and exits 1. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/** The version in the project's package.json (two levels up from src/ or dist/ files). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

/** Bad usage or a bad config: the message goes to stderr and the process exits 2. */
class UsageError extends Error {}

/** Arguments + environment → the config the gateway runs with. Throws ConfigError / UsageError. */
function resolveConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayConfig | 'help' | 'version' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  const file = values.config ?? env['BATCHGATE_CONFIG'];
  const config = file ? loadConfigFile(file, { modules: backendModules }) : validateConfig({}, '(embedded default)', { modules: backendModules });
  if (env['PORT'] !== undefined) config.listen.port = parsePort(env['PORT']);
  if (env['HOST']) config.listen.host = env['HOST'];
  const level = env['LOG_LEVEL'];
  if (level !== undefined && level !== '') {
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new UsageError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    }
    config.log.level = level as (typeof LOG_LEVELS)[number];
  }
  return config;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`PORT: expected an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

/**
 * The gateway process: config → emulators (embedded default) → gateway → the URL line, then waits
 * for SIGTERM/SIGINT and drains. The process handles the signals itself, so it stops the same way
 * under `node dist/main.js`, `batchgate serve`, a container runtime or a process manager.
 */
async function serve(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (resolved === 'help' || resolved === 'version') {
    process.stdout.write(resolved === 'help' ? HELP : `batchgate ${packageVersion()}\n`, () => process.exit(0));
    return;
  }
  let config = resolved;
  let tracing: TracingHandle | null;
  try {
    tracing = await startTracing(env, packageVersion());
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }

  const logger = createLogger(config.log.level);
  if (tracing) logger.info('exporting traces (OTEL_* environment)');
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
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    demo?.dispose();
    await gateway.close();
    await Promise.all(emulators.map((emulator) => emulator.close()));
    if (embeddedStore) rmSync(embeddedStore, { recursive: true, force: true });
    await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'traces not flushed'));
    logger.info('stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}

/** Runs `serve` as the program: a failure to start is one line on stderr and exit 1. */
export function runServeProgram(argv: readonly string[]): void {
  serve(argv).catch((error: unknown) => {
    process.stderr.write(`batchgate failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
