import { Writable } from 'node:stream';
import pino from 'pino';

/** A stream that keeps every line written to it, for tests that search logs (e.g. for leaked secrets). */
export function memoryStream(): { destination: Writable; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { destination, lines };
}

/** A plain pino logger whose lines are kept in memory. */
export function memoryLogger(level = 'debug') {
  const { destination, lines } = memoryStream();
  return { logger: pino({ level }, destination), lines };
}
