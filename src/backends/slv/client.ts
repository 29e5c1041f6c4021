import { HTTPError, type Response } from 'got';
import { CookieJar } from 'tough-cookie';
import type { BackendContext } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError, type UpstreamDetail } from '../../core/errors.js';
import { createHttpClient, translateHttpError } from '../../lib/http-client.js';
import {
  SLV_UNKNOWN_BATCH_ERROR_CODE,
  SLV_UNKNOWN_METHOD_ERROR_CODE,
  slvBatchResultSchema,
  slvEnvelopeSchema,
  type SlvBatchResult,
  type SlvEnvelope,
} from './wire.js';

/**
 * The only file of the SLV backend that does HTTP. It owns the session: HTTP Basic on every call,
 * plus SLV 7.8+'s CSRF handshake (`GET api/userprofile/getCurrentUser` with `X-CSRF-Token: Fetch`),
 * whose token and session cookie ride along on every later call. Older servers answer the handshake
 * without a token; then plain Basic is all there is, and that works too.
 */

export interface SlvClientOptions extends BackendContext {
  backendId: string;
  /** SLV base URL including the webapp path, e.g. `http://host:8080/reports`. */
  url: string;
  username: string;
  password: string;
}

/** One SLV API call. `ser=json` is always added to the query string. */
export interface SlvCall {
  method: 'GET' | 'POST';
  /** Path under `{url}/api/`, e.g. `batch/getBatchResult`. */
  path: string;
  /** Parameters: the query for a GET, a form body for a POST. Repeated keys make lists. @default [] */
  params?: ReadonlyArray<readonly [string, string]>;
  /** A raw body sent instead of a form (the CSV import); `params` then go in the query. */
  raw?: { body: string; contentType: string };
  /** Aborts the call (the gateway gives up on a read). */
  signal?: AbortSignal;
}

export interface SlvClient {
  /** Calls a method that answers a batch (`SLVBatchResult`), validated. */
  batch(call: SlvCall): Promise<SlvBatchResult>;
  /** Calls any method; answers its JSON object once it is known not to be an error envelope. */
  result(call: SlvCall): Promise<Record<string, unknown>>;
  /** One cheap authenticated call: the handshake when there is no session yet, else `getCurrentUser`. */
  probe(): Promise<void>;
  dispose(): Promise<void>;
}

interface Session {
  /** `null` when the server predates CSRF tokens (SLV < 7.8). */
  token: string | null;
  /** Tells a caller refused with an old session whether someone already made a new one. */
  generation: number;
}

/** A 200 HTML page (SLV's login page) or a 401/403: the server did not accept this session. */
class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`refused (HTTP ${status})`);
  }
}

export function createSlvClient(options: SlvClientOptions): SlvClient {
  const backend = options.backendId;
  const jar = new CookieJar();
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  const http = createHttpClient({
    ...options,
    prefixUrl: options.url,
    extend: {
      cookieJar: jar,
      responseType: 'text',
      headers: { authorization, 'x-requested-with': 'XMLHttpRequest', accept: 'application/json' },
    },
  });

  let session: Session | null = null;
  let handshakeInFlight: Promise<Session> | null = null;
  let generation = 0;

  /*
   * Single-flight session. Every caller awaits the same handshake; a caller refused with session
   * generation g asks for a new one only if g is still current, so a burst of refusals after the
   * server dropped our session causes exactly one new handshake, not one per caller.
   */
  function ensureSession(refusedGeneration?: number): Promise<Session> {
    if (session && session.generation !== refusedGeneration) return Promise.resolve(session);
    session = null;
    handshakeInFlight ??= handshake()
      .then((fresh) => {
        session = fresh;
        return fresh;
      })
      .finally(() => {
        handshakeInFlight = null;
      });
    return handshakeInFlight;
  }

  async function handshake(): Promise<Session> {
    // A refused session's cookie must not be sent back, or the server may keep the dead session.
    await jar.removeAllCookies();
    try {
      const response = await http.got.get('api/userprofile/getCurrentUser', {
        searchParams: { ser: 'json' },
        headers: { 'x-csrf-token': 'Fetch' },
      });
      if (isHtml(response)) throw new RefusedError(response.statusCode);
      parseObject(response.body, backend);
      const header = response.headers['x-csrf-token'];
      const token = typeof header === 'string' && header !== '' && !/^(fetch|required)$/i.test(header) ? header : null;
      generation += 1;
      return { token, generation };
    } catch (error) {
      throw translateSlvError(error, backend);
    }
  }

  async function send(call: SlvCall, current: Session): Promise<Response<string>> {
    const params = new URLSearchParams(call.params?.map(([key, value]) => [key, value]) ?? []);
    const headers: Record<string, string> = current.token ? { 'x-csrf-token': current.token } : {};
    const path = `api/${call.path}`;
    const signal = call.signal;
    let response: Response<string>;
    try {
      if (call.method === 'GET') {
        params.append('ser', 'json');
        response = await http.got.get(path, { searchParams: params, headers, signal });
      } else if (call.raw) {
        params.append('ser', 'json');
        response = await http.got.post(path, {
          searchParams: params,
          body: call.raw.body,
          headers: { ...headers, 'content-type': call.raw.contentType },
          signal,
        });
      } else {
        response = await http.got.post(path, {
          searchParams: { ser: 'json' },
          body: params.toString(),
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
          signal,
        });
      }
    } catch (error) {
      if (error instanceof HTTPError && (error.response.statusCode === 401 || error.response.statusCode === 403)) {
        throw new RefusedError(error.response.statusCode);
      }
      throw error;
    }
    if (isHtml(response)) throw new RefusedError(response.statusCode);
    return response;
  }

  /** Sends once; when refused, makes (or joins) one new handshake and sends once more. */
  async function authorized(call: SlvCall): Promise<Response<string>> {
    const first = await ensureSession();
    try {
      return await send(call, first);
    } catch (error) {
      if (!(error instanceof RefusedError)) throw translateSlvError(error, backend);
    }
    const fresh = await ensureSession(first.generation);
    try {
      return await send(call, fresh);
    } catch (error) {
      // Refused with a brand-new session too: forget it, so the next call starts over.
      if (error instanceof RefusedError && session?.generation === fresh.generation) session = null;
      throw translateSlvError(error, backend);
    }
  }

  return {
    async batch(call) {
      const response = await authorized(call);
      return parseBatch(parseResult(response.body, backend), backend);
    },
    async result(call) {
      const response = await authorized(call);
      return parseResult(response.body, backend);
    },
    async probe() {
      if (!session) {
        await ensureSession();
        return;
      }
      const response = await authorized({ method: 'GET', path: 'userprofile/getCurrentUser' });
      const body = parseObject(response.body, backend);
      throwIfEnvelopeError(body, backend);
    },
    async dispose() {
      session = null;
      http.dispose();
      await jar.removeAllCookies();
    },
  };
}

/**
 * The one translation of everything the SLV client can throw. SLV's own answers come first: its
 * login page or a 401/403 (credentials refused), its `SLVResult` error envelope (even inside an
 * HTTP error), then whatever is left goes to the shared transport translation.
 */
export function translateSlvError(error: unknown, backend: string): GatewayError {
  if (isGatewayError(error)) return error.withBackend(backend);
  if (error instanceof RefusedError) {
    return new GatewayError(ErrorCode.BACKEND_UNAUTHORIZED, `SLV backend "${backend}" refused the gateway's credentials`, {
      backend,
      upstream: { status: error.status },
      cause: error,
    });
  }
  if (error instanceof HTTPError) {
    const envelope = tryEnvelope(typeof error.response.body === 'string' ? error.response.body : '');
    if (envelope && isEnvelopeError(envelope)) return envelopeError(envelope, backend, error.response.statusCode);
  }
  return translateHttpError(error, backend);
}

/** True when a call failed because the server has no such method (e.g. no `cancelBatch`). */
export function isUnknownMethodError(error: GatewayError): boolean {
  if (error.code !== ErrorCode.BACKEND_ERROR) return false;
  const upstream = (error.extensions['upstream'] ?? {}) as UpstreamDetail;
  if (upstream.status === 404 || upstream.status === 405 || upstream.status === 501) return true;
  if (upstream.code !== undefined && String(upstream.code) === SLV_UNKNOWN_METHOD_ERROR_CODE) return true;
  return /unknown method|no such method|method .*not (found|exist)|method not supported/i.test(`${upstream.label ?? ''} ${upstream.message ?? ''}`);
}

/** Parses an answer and throws its error envelope, unless it is a batch (a failed batch says ERROR too). */
function parseResult(text: string, backend: string): Record<string, unknown> {
  const body = parseObject(text, backend);
  if (body['batchId'] === undefined || body['batchId'] === null) throwIfEnvelopeError(body, backend);
  return body;
}

function parseBatch(body: Record<string, unknown>, backend: string): SlvBatchResult {
  if (body['batchId'] === undefined || body['batchId'] === null) throw malformed(backend, 'an answer without a batch');
  const parsed = slvBatchResultSchema.safeParse(body);
  if (!parsed.success) throw malformed(backend, 'a batch it could not read');
  return parsed.data;
}

function throwIfEnvelopeError(body: Record<string, unknown>, backend: string): void {
  const envelope = slvEnvelopeSchema.safeParse(body);
  if (envelope.success && isEnvelopeError(envelope.data)) throw envelopeError(envelope.data, backend, 200);
}

function isEnvelopeError(envelope: SlvEnvelope): boolean {
  return envelope.statusError === true || envelope.status?.toUpperCase() === 'ERROR';
}

const UNKNOWN_BATCH_TEXT = /(unknown|no such|invalid) batch|batch\b.*\b(not found|unknown|does not exist|doesn't exist|expired)/i;

function envelopeError(envelope: SlvEnvelope, backend: string, status: number): GatewayError {
  const upstream: UpstreamDetail = {
    code: envelope.errorCode === undefined || envelope.errorCode === null ? null : String(envelope.errorCode),
    label: envelope.errorCodeLabel ?? null,
    message: envelope.message ?? null,
    ...(status !== 200 ? { status } : {}),
  };
  const text = `${upstream.label ?? ''} ${upstream.message ?? ''}`;
  if (upstream.code === SLV_UNKNOWN_BATCH_ERROR_CODE || UNKNOWN_BATCH_TEXT.test(text)) {
    return new GatewayError(ErrorCode.BATCH_NOT_FOUND, `SLV backend "${backend}" does not know this batch`, { backend, upstream });
  }
  const detail = upstream.message ?? upstream.label ?? 'no message';
  return new GatewayError(ErrorCode.BACKEND_ERROR, `SLV backend "${backend}" answered error ${upstream.code ?? '?'}: ${detail}`, {
    backend,
    upstream,
  });
}

function parseObject(text: string, backend: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformed(backend, 'a malformed body', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(backend, 'a body that is not an object');
  return value as Record<string, unknown>;
}

function tryEnvelope(text: string): SlvEnvelope | null {
  try {
    const parsed = slvEnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const malformed = (backend: string, what: string, cause?: unknown) =>
  new GatewayError(ErrorCode.BACKEND_ERROR, `SLV backend "${backend}" answered with ${what}`, { backend, cause });

/** SLV answers unauthenticated calls with its HTML login page, HTTP 200. */
function isHtml(response: Response<string>): boolean {
  const type = String(response.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('text/html')) return true;
  return /^\s*<(!doctype html|html)/i.test(response.body.slice(0, 64));
}
