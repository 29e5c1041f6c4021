import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { faultInjection, type Fault, type FaultRule } from './faults.js';
import { requestBody } from './respond.js';

/**
 * The HTTP shell every backend emulator runs in: an express app on loopback that records every
 * request (so tests count upstream polls exactly) and injects faults in front of the emulator's own
 * routes. Emulators differ only in their routes and in how they refuse credentials.
 */

export type { Fault, FaultRule };

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  at: number;
}

/** A handler for every request, for emulators with a single endpoint; `body` is the exact bytes sent. */
export type EmulatorHandler = (req: Request, res: ServerResponse, body: Buffer) => void | Promise<void>;

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
  /**
   * Every answer waits this long before the emulator looks at the request, as a service across a
   * network does; 0 (the default) answers at once. Unlike the `slow` fault it is the emulator's
   * normal behaviour, under any faults.
   */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/**
 * A router for an emulator's routes: paths match case-sensitively and, unless `strict` is false
 * (a service that ignores a trailing slash), exactly, as the services' web containers do.
 */
export const emulatorRouter = (options: { strict?: boolean } = {}): Router => Router({ caseSensitive: true, strict: options.strict ?? true });

/** Serves one handler for every request (an emulator whose protocol has a single endpoint). */
export function startEmulatorHttp(handle: EmulatorHandler, options: EmulatorOptions): Promise<EmulatorHttpServer> {
  const router = emulatorRouter();
  router.use((req, res) => handle(req, res, requestBody(req)));
  return startEmulatorApp(router, options);
}

/** Serves an emulator's routes behind the request log and fault injection. */
export async function startEmulatorApp(routes: Router, options: EmulatorOptions): Promise<EmulatorHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const maxRecorded = options.maxRecordedRequests ?? 100_000;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  /** Answers held open by `hang` and `stall`: ended (their sockets destroyed) when the faults change. */
  const held = new Set<ServerResponse>();
  let rules: FaultRule[] = [];
  let latencyMs = 0;
  let listening = false;
  let closed = false;

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, _res, next) => {
    const url = new URL(req.url, 'http://emulator');
    requests.push({ method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, at: Date.now() });
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded / 2);
    if (latencyMs > 0) setTimeout(next, latencyMs);
    else next();
  });
  // Raw bytes for every content type: signatures are verified over them, and each emulator parses
  // (and refuses) bodies the way its service does.
  app.use(express.raw({ type: () => true, limit: options.maxBodyBytes ?? 10 * 1024 * 1024 }));
  app.use(
    faultInjection({
      rules: () => rules,
      random: options.random ?? Math.random,
      refuseCredentials: options.refuseCredentials,
      hold: (res) => {
        held.add(res);
        res.on('close', () => held.delete(res));
      },
    }),
  );
  app.use(routes);
  app.use((_req: Request, res: Response) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = httpErrorStatus(error);
    // Body-parser refusals (too large, aborted): a bare status, as before any emulator code ran.
    if (status !== undefined && status < 500 && !res.headersSent) return void res.writeHead(status).end();
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`Emulator error: ${error instanceof Error ? error.message : String(error)}`);
  });

  const server: Server = createServer(app);
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

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
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency: expected a number of ms >= 0, got ${ms}`);
      latencyMs = ms;
    },
    async close() {
      closed = true;
      await stopListening();
    },
  };
}

function httpErrorStatus(error: unknown): number | undefined {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}
