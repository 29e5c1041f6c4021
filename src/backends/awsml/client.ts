import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HTTPError, RequestError, TimeoutError } from 'got';
import { z } from 'zod';
import type { BackendContext } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError } from '../../core/errors.js';
import { createHttpClient, translateHttpError } from '../../lib/http-client.js';
import type { AwsCredentials } from './config.js';
import { batchPredictionSchema, type BatchPredictionRecord } from './map.js';

/**
 * The only file of this backend doing HTTP: AWS JSON 1.1 (`POST /` with `X-Amz-Target`), every
 * request signed with SigV4 by `@smithy/signature-v4`, and one function translating Amazon ML's
 * answers into the contract's codes.
 */

/** The API version prefix of every `X-Amz-Target`. */
export const TARGET_PREFIX = 'AmazonML_20141212';
/** SigV4 signing name of Amazon Machine Learning. */
export const SIGNING_NAME = 'machinelearning';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

export type AwsMlOperation =
  | 'CreateBatchPrediction'
  | 'GetBatchPrediction'
  | 'DescribeBatchPredictions'
  | 'UpdateBatchPrediction'
  | 'DeleteBatchPrediction';

export interface AwsMlClientOptions extends BackendContext {
  backendId: string;
  endpoint: string;
  region: string;
  credentials: AwsCredentials;
  /** Extra attempts for idempotent calls after throttling, a 5xx or a transport fault. @default 2 */
  retries?: number;
  /** First retry delay in ms; doubles per attempt and is jittered. @default 100 */
  retryBaseMs?: number;
}

export interface DescribeInput {
  FilterVariable?: string;
  EQ?: string;
  SortOrder?: 'asc' | 'dsc';
  NextToken?: string;
  Limit?: number;
}

export interface CreateInput {
  BatchPredictionId: string;
  BatchPredictionName?: string;
  MLModelId: string;
  BatchPredictionDataSourceId: string;
  OutputUri: string;
}

const idResponseSchema = z.looseObject({ BatchPredictionId: z.string().min(1) });
const describeResponseSchema = z.looseObject({
  Results: z.array(batchPredictionSchema).nullish(),
  NextToken: z.string().nullish(),
});

export interface AwsMlClient {
  createBatchPrediction(input: CreateInput): Promise<string>;
  getBatchPrediction(id: string, signal?: AbortSignal): Promise<BatchPredictionRecord>;
  describeBatchPredictions(input: DescribeInput): Promise<{ results: BatchPredictionRecord[]; nextToken: string | null }>;
  updateBatchPrediction(id: string, name: string): Promise<string>;
  deleteBatchPrediction(id: string): Promise<string>;
  dispose(): void;
}

/** A signed Amazon ML client for the batch-prediction operations; errors come out translated. */
export function createAwsMlClient(options: AwsMlClientOptions): AwsMlClient {
  const backend = options.backendId;
  const retries = options.retries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 100;
  const endpoint = new URL(options.endpoint);
  // The SDK posts to the endpoint's path with one trailing slash; do the same so a proxy prefix works.
  const path = `${endpoint.pathname.replace(/\/+$/, '')}/`;
  const signer = new SignatureV4({ service: SIGNING_NAME, region: options.region, credentials: options.credentials, sha256: Sha256 });
  const http = createHttpClient({
    backendId: backend,
    prefixUrl: `${endpoint.origin}${path}`,
    timeoutMs: options.timeoutMs,
    onUpstreamCall: options.onUpstreamCall,
    // POST is never retried by got; `send` retries the calls that are safe to repeat itself.
    extend: { retry: { limit: 0 }, responseType: 'text' },
  });

  async function attempt(operation: AwsMlOperation, body: string, signal?: AbortSignal): Promise<unknown> {
    const request = new HttpRequest({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path,
      headers: { host: endpoint.host, 'content-type': CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}.${operation}` },
      body,
    });
    const signed = await signer.sign(request);
    const response = await http.got.post('', { headers: signed.headers, body, ...(signal ? { signal } : {}) });
    try {
      return JSON.parse(response.body) as unknown;
    } catch (error) {
      throw malformed(backend, error);
    }
  }

  /**
   * One call, retried only when `idempotent`: Get/Describe are reads, Create carries a caller-chosen
   * id (the same id and parameters again is the same prediction) and Update sets a name. Delete is
   * not repeated, so a lost answer never turns into a confusing second attempt.
   */
  async function send<T>(operation: AwsMlOperation, input: object, schema: z.ZodType<T>, idempotent: boolean, signal?: AbortSignal): Promise<T> {
    const body = JSON.stringify(input);
    const startedAt = Date.now();
    for (let attemptNo = 0; ; attemptNo++) {
      try {
        const parsed = schema.safeParse(await attempt(operation, body, signal));
        if (!parsed.success) throw malformed(backend, parsed.error);
        return parsed.data;
      } catch (error) {
        // Retries fit well within timeoutMs: each waits at most a quarter of the time left, and once
        // less than 40 % is left the caller learns what went wrong rather than run into its deadline.
        const remaining = options.timeoutMs - (Date.now() - startedAt);
        const delay = Math.min(2000, retryBaseMs * 2 ** attemptNo, Math.floor(remaining / 4));
        const late = remaining < options.timeoutMs * 0.4;
        if (!idempotent || attemptNo >= retries || late || !isRetryable(error) || signal?.aborted) throw translateAwsError(error, backend);
        // Jitter so many pollers hitting one throttled account do not retry in step.
        await sleep(Math.round(delay * (0.5 + Math.random() / 2)));
      }
    }
  }

  return {
    async createBatchPrediction(input) {
      return (await send('CreateBatchPrediction', input, idResponseSchema, true)).BatchPredictionId;
    },
    async getBatchPrediction(id, signal) {
      return send('GetBatchPrediction', { BatchPredictionId: id }, batchPredictionSchema, true, signal);
    },
    async describeBatchPredictions(input) {
      const page = await send('DescribeBatchPredictions', input, describeResponseSchema, true);
      return { results: page.Results ?? [], nextToken: page.NextToken || null };
    },
    async updateBatchPrediction(id, name) {
      return (await send('UpdateBatchPrediction', { BatchPredictionId: id, BatchPredictionName: name }, idResponseSchema, true)).BatchPredictionId;
    },
    async deleteBatchPrediction(id) {
      return (await send('DeleteBatchPrediction', { BatchPredictionId: id }, idResponseSchema, false)).BatchPredictionId;
    },
    dispose: () => http.dispose(),
  };
}

/** An Amazon ML error read from a response: its exception name (no `prefix#`), message and numeric code. */
export interface AwsErrorInfo {
  type: string | null;
  message: string | null;
  code: number | string | null;
}

/** Reads the exception name from the body's `__type` or the `x-amzn-ErrorType` header (`Name:http://…`). */
export function readAwsError(headers: Record<string, string | string[] | undefined>, body: string): AwsErrorInfo {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page, an emulated bare status): the header or the status decides.
  }
  const header = headers['x-amzn-errortype'];
  const rawType = typeof parsed['__type'] === 'string' ? parsed['__type'] : typeof header === 'string' ? header : null;
  const type = rawType ? (rawType.split(':')[0] ?? '').split('#').pop()?.trim() || null : null;
  const message = [parsed['message'], parsed['Message']].find((value): value is string => typeof value === 'string') ?? null;
  const code = typeof parsed['code'] === 'number' || typeof parsed['code'] === 'string' ? parsed['code'] : null;
  return { type, message, code };
}

const UNAUTHORIZED_TYPES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
  'AccessDenied',
]);
const UNAVAILABLE_TYPES = new Set(['ThrottlingException', 'InternalServerException', 'ServiceUnavailableException']);

/**
 * The one translation of this backend's failures: Amazon ML's own error bodies first, then the
 * shared transport translation. Messages name the backend, never the endpoint or the keys.
 */
export function translateAwsError(error: unknown, backend: string): GatewayError {
  if (isGatewayError(error)) return error.withBackend(backend);
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const info = readAwsError(error.response.headers, typeof error.response.body === 'string' ? error.response.body : '');
    const upstream = { code: info.type ?? info.code, message: info.message, status };
    const say = (code: ErrorCode, message: string) => new GatewayError(code, message, { backend, upstream, cause: error });
    if (info.type === 'ResourceNotFoundException') return say(ErrorCode.BATCH_NOT_FOUND, `Backend "${backend}" has no such batch prediction`);
    if (info.type === 'InvalidInputException' || info.type === 'IdempotentParameterMismatchException' || info.type === 'ValidationException') {
      return say(ErrorCode.BAD_USER_INPUT, `Backend "${backend}" rejected the input: ${info.message ?? info.type}`);
    }
    if ((info.type && UNAUTHORIZED_TYPES.has(info.type)) || status === 401 || status === 403) {
      return say(ErrorCode.BACKEND_UNAUTHORIZED, `Backend "${backend}" refused the gateway's credentials`);
    }
    if ((info.type && UNAVAILABLE_TYPES.has(info.type)) || status >= 500) {
      return say(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" is unavailable (${info.type ?? `HTTP ${status}`})`);
    }
    if (info.type) return say(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered ${info.type}${info.message ? `: ${info.message}` : ''}`);
  }
  return translateHttpError(error, backend);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    if (status >= 500 || status === 429) return true;
    const { type } = readAwsError(error.response.headers, typeof error.response.body === 'string' ? error.response.body : '');
    return type === 'ThrottlingException';
  }
  // A slow backend is not retried: a poller waiting three timeouts is worse than one error now.
  if (error instanceof TimeoutError) return false;
  return error instanceof RequestError && !isGatewayError(error);
}

function malformed(backend: string, cause: unknown): GatewayError {
  return new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered with a malformed body`, { backend, cause });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
