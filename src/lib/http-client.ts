import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { HTTPError, ParseError, RequestError, TimeoutError, type Got, type Method } from 'got';
import type { BackendContext } from '../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError } from '../core/errors.js';
import { withJitter } from './backoff.js';
import { startUpstreamSpan, type UpstreamSpan } from './tracing.js';

/**
 * The one way connectors reach their backends: a got instance with timeouts, retries for idempotent
 * reads only (jittered exponential backoff), keep-alive sockets capped per backend, and a hook that
 * reports every call (for metrics and debug logs) without its query string.
 */

export interface HttpClientOptions extends BackendContext {
  backendId: string;
  prefixUrl: string;
  /** How many times an idempotent read is retried after a transport fault or 5xx. @default 2 */
  readRetries?: number;
  /** Most sockets open to this backend at once. @default 32 */
  maxSockets?: number;
  /** Extra got options (auth hooks, cookie jar, headers). */
  extend?: Parameters<Got['extend']>[0];
}

export interface HttpClient {
  readonly got: Got;
  /**
   * For downloads streamed to clients: the same hooks and auth, but sockets of their own (at most
   * `maxStreams`), no retries, and a stream that moves no byte for `streamIdleMs` (a stalled
   * backend, or a client that stopped reading) fails. Long or stuck downloads never take the
   * sockets that queries and polls need.
   */
  readonly stream: Got;
  dispose(): void;
}

const IDEMPOTENT: Method[] = ['GET', 'HEAD', 'OPTIONS'];

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const maxSockets = options.maxSockets ?? 32;
  const agent = {
    http: new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: 8 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets, maxFreeSockets: 8 }),
  };
  const maxStreams = options.maxStreams ?? 8;
  const streamAgent = {
    http: new HttpAgent({ keepAlive: true, maxSockets: maxStreams, maxFreeSockets: 2 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: maxStreams, maxFreeSockets: 2 }),
  };
  const report = (method: string, url: URL | undefined, statusCode: number | null, started: number | undefined, ok: boolean) => {
    options.onUpstreamCall?.({
      backend: options.backendId,
      method,
      path: url?.pathname ?? '',
      statusCode,
      durationMs: started ? Date.now() - started : 0,
      outcome: ok ? 'ok' : 'error',
    });
  };

  const spans = new WeakMap<object, UpstreamSpan>();
  const base = got.extend({
    prefixUrl: options.prefixUrl.replace(/\/+$/, ''),
    agent,
    timeout: {
      lookup: 2000,
      connect: Math.min(options.timeoutMs, 5000),
      secureConnect: Math.min(options.timeoutMs, 5000),
      // Time to the first response byte: a slow backend fails here, a long download does not.
      response: options.timeoutMs,
    },
    retry: {
      limit: options.readRetries ?? 2,
      methods: IDEMPOTENT,
      statusCodes: [408, 429, 500, 502, 503, 504],
      errorCodes: ['ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN'],
      backoffLimit: 2000,
      // got's backoff is exponential; jitter it so retries from many pollers do not arrive in step.
      // Retries fit well within timeoutMs of the first attempt (the caller's deadline also covers
      // waiting before it): each waits at most a quarter of the time left, and once less than
      // 40 % is left the call fails with what went wrong (refused, reset, 5xx) instead.
      calculateDelay: ({ computedValue, error, attemptCount }) => {
        if (computedValue <= 0) return 0;
        const remaining = options.timeoutMs - (Date.now() - firstAttemptAt(error, attemptCount));
        if (remaining < options.timeoutMs * 0.4) return 0;
        return Math.max(1, Math.min(withJitter(computedValue), Math.floor(remaining / 4)));
      },
    },
    throwHttpErrors: true,
    hooks: {
      // A span per attempt, with the trace context sent along (see lib/tracing.ts).
      beforeRequest: [
        (request) => {
          spans.get(request)?.end({ error: new Error('retried') });
          const span = startUpstreamSpan(options.backendId, request.method, request.url instanceof URL ? request.url : undefined);
          spans.set(request, span);
          Object.assign(request.headers, span.headers);
        },
      ],
      afterResponse: [
        (response) => {
          report(response.request.options.method, response.requestUrl, response.statusCode, response.timings.start, response.statusCode < 400);
          spans.get(response.request.options)?.end({ statusCode: response.statusCode });
          return response;
        },
      ],
      beforeError: [
        (error) => {
          if (error.options) spans.get(error.options)?.end({ statusCode: error.response?.statusCode ?? null, error });
          if (!(error instanceof HTTPError)) {
            report(error.options?.method ?? 'GET', error.options?.url instanceof URL ? error.options.url : undefined, null, error.timings?.start, false);
          }
          return error;
        },
      ],
    },
  });
  const instance = options.extend ? base.extend(options.extend) : base;
  const stream = instance.extend({
    agent: streamAgent,
    retry: { limit: 0 },
    timeout: { socket: options.streamIdleMs ?? 30_000 },
  });
  return {
    got: instance,
    stream,
    dispose() {
      agent.http.destroy();
      agent.https.destroy();
      streamAgent.http.destroy();
      streamAgent.https.destroy();
    },
  };
}

/** When a call's first attempt started, remembered per call (got keeps one options object across retries). */
const firstAttempts = new WeakMap<object, number>();
function firstAttemptAt(error: RequestError, attemptCount: number): number {
  const key = error.options as object;
  const known = firstAttempts.get(key);
  if (known !== undefined && attemptCount > 1) return known;
  const started = error.timings?.start ?? Date.now();
  firstAttempts.set(key, started);
  return started;
}

/**
 * Translates a transport-level failure into the contract's codes. Backend-specific answers (an
 * SLV login page, an AWS `__type`, an ML Server `{code,message}`) are translated by the backend's
 * client first; whatever is left ends here. Messages never carry URLs or credentials.
 */
export function translateHttpError(error: unknown, backend: string): GatewayError {
  if (isGatewayError(error)) return error.withBackend(backend);
  if (error instanceof TimeoutError) {
    return new GatewayError(ErrorCode.BACKEND_TIMEOUT, `Backend "${backend}" did not answer in time`, { backend, cause: error });
  }
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    if (status === 401 || status === 403) {
      return new GatewayError(ErrorCode.BACKEND_UNAUTHORIZED, `Backend "${backend}" refused the gateway's credentials`, {
        backend,
        upstream: { status },
        cause: error,
      });
    }
    if (status >= 500 || status === 408 || status === 429) {
      return new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" is unavailable (HTTP ${status})`, {
        backend,
        upstream: { status },
        cause: error,
      });
    }
    return new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered HTTP ${status}`, { backend, upstream: { status }, cause: error });
  }
  if (error instanceof ParseError || error instanceof SyntaxError) {
    return new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered with a malformed body`, { backend, cause: error });
  }
  const networkCode = transportCodeOf(error);
  if (error instanceof RequestError || networkCode) {
    const code = networkCode ?? (error as RequestError).code;
    return new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" is unreachable (${code})`, { backend, cause: error });
  }
  return new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" call failed unexpectedly`, { backend, cause: error });
}

/**
 * A socket-level failure's code, looked for along the cause chain: Node versions differ in how they
 * report a refused or dropped connection (Node 24 may surface ERR_SOCKET_CLOSED_BEFORE_CONNECTION
 * from a reused keep-alive socket, outside got's own RequestError).
 */
export function transportCodeOf(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|ERR_SOCKET_[A-Z_]+|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_[A-Z_]+)$/.test(code)) return code;
  }
  return null;
}

/** Strips credentials, query and fragment from a URL so it can be shown (`Backend.url`). */
export function publicUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '';
  }
}
