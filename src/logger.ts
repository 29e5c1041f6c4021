import pino, { type Logger } from 'pino';

/** Fields whose values are never written, wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

/**
 * Structured logs: JSON lines by default (for machines), pretty when writing to a terminal.
 * Level from config, `LOG_LEVEL` overriding.
 */
export function createLogger(level: string, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !options.destination);
  const base = { level: process.env['LOG_LEVEL'] ?? level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'batchgate' } };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  }
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}
