import { HTTPError, type Response } from 'got';
import { ErrorCode, GatewayError, isGatewayError, type UpstreamDetail } from '../../core/errors.js';
import { translateHttpError } from '../../lib/http-client.js';
import {
  SLV_UNKNOWN_BATCH_ERROR_CODE,
  SLV_UNKNOWN_METHOD_ERROR_CODE,
  slvBatchResultSchema,
  slvEnvelopeSchema,
  type SlvBatchResult,
  type SlvEnvelope,
} from './wire.js';

/** How the SLV client reads answers and turns everything it can throw into a `GatewayError`. */

/** A 200 HTML page (SLV's login page) or a 401/403: the server did not accept this session. */
export class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`refused (HTTP ${status})`);
  }
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
export function parseResult(text: string, backend: string): Record<string, unknown> {
  const body = parseObject(text, backend);
  if (body['batchId'] === undefined || body['batchId'] === null) throwIfEnvelopeError(body, backend);
  return body;
}

export function parseBatch(body: Record<string, unknown>, backend: string): SlvBatchResult {
  if (body['batchId'] === undefined || body['batchId'] === null) throw malformed(backend, 'an answer without a batch');
  const parsed = slvBatchResultSchema.safeParse(body);
  if (!parsed.success) throw malformed(backend, 'a batch it could not read');
  return parsed.data;
}

export function throwIfEnvelopeError(body: Record<string, unknown>, backend: string): void {
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

export function parseObject(text: string, backend: string): Record<string, unknown> {
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
export function isHtml(response: Response<string>): boolean {
  const type = String(response.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('text/html')) return true;
  return /^\s*<(!doctype html|html)/i.test(response.body.slice(0, 64));
}
