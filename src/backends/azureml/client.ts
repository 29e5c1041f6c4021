import type { IncomingMessage } from 'node:http';
import { HTTPError } from 'got';
import type { z } from 'zod';
import type { ArtifactStream, BackendContext } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError } from '../../core/errors.js';
import { recordSource } from '../../core/source-digest.js';
import { createHttpClient, translateHttpError } from '../../lib/http-client.js';
import { createTokenSession, type TokenSession } from './token-session.js';
import { errorBodySchema, tokenResponseSchema } from './wire.js';

/**
 * The only file of this backend that does HTTP: one got instance (from `createHttpClient`), the
 * bearer-token handshake of ML Server's `/login`, and the translation of its `{code, message, fields}`
 * error bodies into the contract's codes.
 */

export interface AzureMlClientOptions {
  backendId: string;
  /** Operationalization base URL, e.g. `http://127.0.0.1:12800`. */
  url: string;
  username: string;
  password: string;
  context: BackendContext;
  /** Renew the access token this long before `expires_on`. @default 30000 */
  renewMarginMs?: number;
  /** Clock for token expiry, replaceable in tests. @default Date.now */
  now?: () => number;
}

/**
 * What a 404 for a missing web service (or a 404 without an ML Server body) means to the caller:
 * `batch` when a native id named the service (the batch is gone with it), `input` when the caller
 * named the service to start or to list. "Execution not found" is always `batch`, a missing file or
 * index always `input`.
 */
type NotFoundMeaning = 'batch' | 'input';

interface RequestOptions {
  searchParams?: Record<string, string | number | boolean>;
  json?: unknown;
  signal?: AbortSignal;
  /** @default 'batch' */
  notFound?: NotFoundMeaning;
}

export interface AzureMlClient {
  /** An authenticated call whose JSON answer is validated by `schema`. */
  request<S extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, schema: S, options?: RequestOptions): Promise<z.output<S>>;
  /** An authenticated GET streamed as it arrives (never buffered). */
  stream(path: string, options?: { notFound?: NotFoundMeaning; signal?: AbortSignal }): Promise<ArtifactStream>;
  dispose(): void;
}

/** A non-2xx answer to a streamed call, carried to `translateAzureMlError` like got's `HTTPError`. */
class StreamStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: Buffer,
  ) {
    super(`HTTP ${statusCode}`);
    this.name = 'StreamStatusError';
  }
}

/** Most bytes of an error answer read from a stream before giving up on its body. */
const MAX_ERROR_BODY = 64 * 1024;

export function createAzureMlClient(options: AzureMlClientOptions): AzureMlClient {
  const { backendId } = options;
  const http = createHttpClient({ ...options.context, backendId, prefixUrl: options.url });

  const tokenCall = async (path: string, json: unknown) => {
    // POSTs are never retried by the shared client, so a refused password is asked exactly once.
    const text = await http.got.post(path, { json }).text();
    return parseBody(text, tokenResponseSchema, backendId);
  };
  const session: TokenSession = createTokenSession({
    login: () => tokenCall('login', { username: options.username, password: options.password }),
    refresh: (refreshToken) => tokenCall('login/refreshToken', { refreshToken }),
    isRefused: (error) => {
      const status = statusOf(error);
      return status !== null && status >= 400 && status < 500;
    },
    renewMarginMs: options.renewMarginMs,
    now: options.now,
  });

  /**
   * Runs `call` with a current token; after a 401 it renews once (shared with every other caller)
   * and tries again. A second 401 stands: the backend refuses our credentials.
   */
  async function withToken<T>(call: (authorization: string) => Promise<T>): Promise<T> {
    const token = await session.current();
    try {
      return await call(`Bearer ${token}`);
    } catch (error) {
      if (statusOf(error) !== 401) throw error;
      return call(`Bearer ${await session.rejected(token)}`);
    }
  }

  return {
    async request(method, path, schema, requestOptions = {}) {
      try {
        const text = await withToken((authorization) =>
          http
            .got(path, {
              method,
              headers: { authorization, accept: 'application/json' },
              json: requestOptions.json,
              searchParams: requestOptions.searchParams,
              signal: requestOptions.signal,
            })
            .text(),
        );
        return parseBody(text, schema, backendId);
      } catch (error) {
        throw translateAzureMlError(error, backendId, requestOptions.notFound ?? 'batch');
      }
    },

    async stream(path, streamOptions = {}) {
      try {
        return await withToken(async (authorization) => {
          // The download pool: no retries (a half-sent download cannot be resumed), an idle timeout.
          const body = http.stream.stream(path, { headers: { authorization }, throwHttpErrors: false, ...(streamOptions.signal ? { signal: streamOptions.signal } : {}) });
          // Only until the head arrives: after that, errors belong to whoever reads the body.
          const response = await new Promise<IncomingMessage>((resolve, reject) => {
            const onResponse = (head: IncomingMessage) => {
              body.off('error', onError);
              resolve(head);
            };
            const onError = (error: Error) => {
              body.off('response', onResponse);
              reject(error);
            };
            body.once('response', onResponse);
            body.once('error', onError);
          });
          if (response.statusCode !== undefined && response.statusCode >= 400) {
            throw new StreamStatusError(response.statusCode, await readSome(body, MAX_ERROR_BODY));
          }
          const length = Number(response.headers['content-length']);
          return {
            body,
            contentType: response.headers['content-type'] ?? null,
            contentLength: Number.isFinite(length) && response.headers['content-length'] !== undefined ? length : null,
          };
        });
      } catch (error) {
        throw translateAzureMlError(error, backendId, streamOptions.notFound ?? 'input');
      }
    },

    dispose() {
      session.clear();
      http.dispose();
    },
  };
}

/** Parses and validates a JSON body; anything else is the backend answering garbage. */
function parseBody<S extends z.ZodType>(text: string, schema: S, backend: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered with a malformed body`, { backend, cause: error });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered with an unexpected body`, { backend, cause: parsed.error });
  }
  // Lets a change digest of what is mapped from this body hash the body instead (see core/source-digest).
  return recordSource(parsed.data, text);
}

function statusOf(error: unknown): number | null {
  if (error instanceof HTTPError) return error.response.statusCode;
  if (error instanceof StreamStatusError) return error.statusCode;
  return null;
}

function bodyOf(error: unknown): Buffer | null {
  if (error instanceof HTTPError) {
    const raw = error.response.rawBody;
    return Buffer.isBuffer(raw) ? raw : typeof error.response.body === 'string' ? Buffer.from(error.response.body) : null;
  }
  if (error instanceof StreamStatusError) return error.body;
  return null;
}

function readSome(stream: NodeJS.ReadableStream & { destroy(): void }, limit: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      stream.destroy();
      resolve(Buffer.concat(chunks));
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) done();
    });
    stream.once('end', done);
    stream.once('error', done);
  });
}

/**
 * ML Server's answers → contract codes. Its own error bodies come first (the 404s say which thing is
 * missing); whatever carries no such body falls back to the shared transport translation.
 */
function translateAzureMlError(error: unknown, backend: string, notFound: NotFoundMeaning): GatewayError {
  if (isGatewayError(error)) return error.withBackend(backend);
  // Transport faults (refused, reset, timeout, garbage) carry no status: the shared translation knows them.
  const status = statusOf(error);
  if (status === null) return translateHttpError(error, backend);

  const upstream = readErrorBody(bodyOf(error));
  const detail = { status, ...(upstream ? { code: upstream.code ?? null, message: upstream.message ?? null } : {}) };
  const message = upstream?.message ?? '';
  if (status === 404) {
    const meaning = /execution not found/i.test(message) ? 'batch' : /file|index/i.test(message) ? 'input' : notFound;
    return meaning === 'batch'
      ? new GatewayError(ErrorCode.BATCH_NOT_FOUND, `Backend "${backend}" has no such batch execution`, { backend, upstream: detail, cause: error })
      : new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backend}": ${message || 'not found'}`, { backend, upstream: detail, cause: error });
  }
  if (status === 401 || status === 403) {
    return new GatewayError(ErrorCode.BACKEND_UNAUTHORIZED, `Backend "${backend}" refused the gateway's credentials`, {
      backend,
      upstream: detail,
      cause: error,
    });
  }
  if (status >= 500 || status === 408 || status === 429) {
    return new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" is unavailable (HTTP ${status})`, {
      backend,
      upstream: detail,
      cause: error,
    });
  }
  return new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" refused the request: ${message || `HTTP ${status}`}`, {
    backend,
    upstream: detail,
    cause: error,
  });
}

function readErrorBody(raw: Buffer | null): { code?: string | number | null; message?: string | null } | null {
  if (!raw || raw.length === 0) return null;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(raw.toString('utf8')));
    return parsed.success && parsed.data.message ? parsed.data : null;
  } catch {
    return null;
  }
}
