import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The HTTP shell every backend emulator runs in: a real server on loopback that records every
 * request (so tests count upstream polls exactly) and injects faults in front of the emulator's own
 * handler. Emulators differ only in their `handle` and in how they refuse credentials.
 */

export type Fault =
  /** Connection refused: the port stops listening until the fault is cleared. */
  | { kind: 'down' }
  /** Every answer waits `delayMs` first. */
  | { kind: 'slow'; delayMs: number }
  /** A bare error status (5xx usually) with a short text body. */
  | { kind: 'status'; status: number }
  /** 200 with bytes that are not what the protocol promises. */
  | { kind: 'garbage' }
  /** 200 with an HTML page (a login page or a proxy's error page). */
  | { kind: 'html' }
  /** Headers sent, then the socket is destroyed mid-body. */
  | { kind: 'reset' }
  /** The request is read and never answered: the socket stays open until the fault clears or the client gives up. */
  | { kind: 'hang' }
  /** Headers and the first bytes of the body sent, then nothing more until the fault clears (a stalled download). */
  | { kind: 'stall' }
  /** The backend acts on the request, then the connection drops before its answer (a start whose outcome is lost). */
  | { kind: 'drop' }
  /** The backend refuses our credentials, in its own way (see `EmulatorOptions.refuseCredentials`). */
  | { kind: 'unauthorized' }
  /**
   * A backend (or proxy) that echoes the request in its error: `body` with `{{request}}` replaced by
   * the request line, headers and body, escaped for a JSON string.
   */
  | { kind: 'echo'; status: number; body: string; contentType?: string };

export interface FaultRule {
  fault: Fault;
  /** Fraction of matching requests that fail, 0..1. @default 1 */
  rate?: number;
  /** Only requests whose path matches. @default every path */
  path?: RegExp;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  at: number;
}

export type EmulatorHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Answers a request as the backend does when it refuses the caller's credentials. */
  refuseCredentials: (req: IncomingMessage, res: ServerResponse) => void;
  /** Random source for fault rates, replaceable in tests. @default Math.random */
  random?: () => number;
  /** Largest request body accepted. @default 10 MiB */
  maxBodyBytes?: number;
  /** Requests kept in the log; older ones are dropped so a long-running demo does not grow. @default 100000 */
  maxRecordedRequests?: number;
}

export interface EmulatorHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Requests received, oldest first (faulted ones included, refused connections not); the newest `maxRecordedRequests`. */
  readonly requests: readonly RecordedRequest[];
  /** How many recorded requests match. */
  count(predicate?: (request: RecordedRequest) => boolean): number;
  clearRequests(): void;
  /** Replaces the fault rules; `[]` clears them (and re-opens the port after `down`). */
  setFaults(rules: FaultRule[]): Promise<void>;
  close(): Promise<void>;
}

export async function startEmulatorHttp(handle: EmulatorHandler, options: EmulatorOptions): Promise<EmulatorHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const maxRecorded = options.maxRecordedRequests ?? 100_000;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  /** Answers held open by `hang` and `stall`: ended (their sockets destroyed) when the faults change. */
  const held = new Set<ServerResponse>();
  let rules: FaultRule[] = [];
  let listening = false;
  let closed = false;

  const pickFault = (path: string): Fault | null => {
    for (const rule of rules) {
      if (rule.path && !rule.path.test(path)) continue;
      if (random() < (rule.rate ?? 1)) return rule.fault;
    }
    return null;
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, at: Date.now() });
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded / 2);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      void respond(req, res, url.pathname, Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function respond(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
    const fault = pickFault(path);
    try {
      if (fault?.kind === 'slow') await sleep(fault.delayMs);
      if (res.destroyed) return;
      switch (fault?.kind) {
        case undefined:
        case 'slow':
        case 'down':
          await handle(req, res, body);
          return;
        case 'status':
          res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`Emulated failure ${fault.status}`);
          return;
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"this is not":json at all\u0000');
          return;
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body><form>Login</form></body></html>');
          return;
        case 'reset':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"partial":');
          setImmediate(() => res.socket?.destroy());
          return;
        case 'unauthorized':
          options.refuseCredentials(req, res);
          return;
        case 'hang':
          hold(res);
          return;
        case 'drop': {
          // The emulator's handler answers into a response bound to no socket; the caller gets none.
          const lost = new ServerResponse(req);
          await handle(req, lost, body);
          res.socket?.destroy();
          return;
        }
        case 'stall':
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(1024 * 1024) });
          res.write(Buffer.alloc(1024, 0x2e));
          hold(res);
          return;
        case 'echo': {
          const request = `${req.method} ${req.url}\n${Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`).join('\n')}\n\n${body.toString('utf8')}`;
          const text = fault.body.replaceAll('{{request}}', () => JSON.stringify(request).slice(1, -1));
          res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json' }).end(text);
          return;
        }
        default: {
          const exhaustive: never = fault;
          throw new Error(`Unknown fault ${JSON.stringify(exhaustive)}`);
        }
      }
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`Emulator error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const hold = (res: ServerResponse) => {
    held.add(res);
    res.on('close', () => held.delete(res));
  };
  const releaseHeld = () => {
    for (const res of held) res.socket?.destroy();
    held.clear();
  };

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        listening = true;
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  const port = await listen(options.port ?? 0);
  const origin = `http://${host}:${port}`;

  return {
    origin,
    port,
    requests,
    count: (predicate) => (predicate ? requests.filter(predicate).length : requests.length),
    clearRequests: () => {
      requests.length = 0;
    },
    async setFaults(next) {
      rules = next;
      releaseHeld();
      const down = next.some((rule) => rule.fault.kind === 'down');
      if (down && listening) await stopListening();
      if (!down && !listening && !closed) await listen(port);
    },
    async close() {
      closed = true;
      await stopListening();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/** Reads a request's parameters from its query string and, for form posts, its body (repeated keys kept). */
export function requestParams(req: IncomingMessage, body: Buffer): URLSearchParams {
  const params = new URL(req.url ?? '/', 'http://emulator').searchParams;
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.append(key, value);
  }
  return params;
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(value), headers);
}

/** `sendJson` for a body already serialised (an emulator's cached answer). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
