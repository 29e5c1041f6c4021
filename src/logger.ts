import pino, { type Logger } from 'pino';
import { backendModules } from './backends/index.js';

/** Fields whose values are never written, wherever they appear in a log object: the gateway's own. */
const GATEWAY_SECRET_FIELDS = ['token', 'tokens', 'authorization'];

/** Every registered backend's secret config fields. */
const backendSecretFields = (): string[] => backendModules.flatMap((module) => module.secretFields);

/** Pino redact paths for secret fields at the top level and one level down, plus the headers that carry credentials. */
function redactedPaths(secretFields: readonly string[] = backendSecretFields()): string[] {
  const fields = [...new Set([...GATEWAY_SECRET_FIELDS, ...secretFields])];
  return [...fields.flatMap((field) => [field, `*.${field}`]), 'headers.authorization', 'req.headers.authorization', 'headers.cookie', '*.headers.cookie'];
}

/** Scrubbers each logger made here passes its lines through (see `scrubLogs`). */
const lineScrubbers = new WeakMap<Logger, Array<(line: string) => string>>();

/**
 * Makes a logger from `createLogger` pass every line through `scrub` before writing it: backend
 * text in logged errors can carry credentials the redact paths do not know. The secrets are only
 * known once the config (and the embedded emulators) are, after the logger exists. Loggers made
 * elsewhere are left as they are.
 */
export function scrubLogs(logger: Logger, scrub: (line: string) => string): void {
  lineScrubbers.get(logger)?.push(scrub);
}

/**
 * Structured logs: JSON lines by default (for machines), pretty when writing to a terminal.
 * Level from config, `LOG_LEVEL` overriding.
 */
export function createLogger(
  level: string,
  options: { pretty?: boolean; destination?: NodeJS.WritableStream; /** @default every registered backend's `secretFields` */ secretFields?: readonly string[] } = {},
): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !options.destination);
  const scrubbers: Array<(line: string) => string> = [];
  const base = {
    level: process.env['LOG_LEVEL'] ?? level,
    redact: { paths: redactedPaths(options.secretFields), censor: '[redacted]' },
    base: { service: 'batchgate' },
    hooks: { streamWrite: (line: string) => scrubbers.reduce((text, scrub) => scrub(text), line) },
  };
  const logger = pretty
    ? pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' } } })
    : options.destination
      ? pino(base, options.destination as pino.DestinationStream)
      : pino(base);
  lineScrubbers.set(logger, scrubbers);
  return logger;
}
