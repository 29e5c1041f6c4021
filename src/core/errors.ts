import { GraphQLError } from 'graphql';

/** Every code a client can see in `extensions.code` (contract, "Errors"). */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  BACKEND_NOT_FOUND: 'BACKEND_NOT_FOUND',
  BATCH_NOT_FOUND: 'BATCH_NOT_FOUND',
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  BACKEND_TIMEOUT: 'BACKEND_TIMEOUT',
  BACKEND_UNAUTHORIZED: 'BACKEND_UNAUTHORIZED',
  BACKEND_ERROR: 'BACKEND_ERROR',
  UNSUPPORTED: 'UNSUPPORTED',
  /**
   * A start with this idempotencyKey was sent, its answer was lost (timeout, dropped connection),
   * and the gateway cannot tell yet whether the batch started: it will not start a second one.
   */
  START_OUTCOME_UNKNOWN: 'START_OUTCOME_UNKNOWN',
  /** The gateway's own record store (Redis, or the embedded database) cannot be reached. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** An HTTP path the gateway does not serve (not a GraphQL error: only in HTTP answers). */
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The backend's own error, passed through in `extensions.upstream`. Never carries secrets. */
export interface UpstreamDetail {
  code?: string | number | null;
  label?: string | null;
  message?: string | null;
  status?: number | null;
  [key: string]: unknown;
}

export interface GatewayErrorOptions {
  backend?: string;
  upstream?: UpstreamDetail;
  cause?: unknown;
  /** Extra extensions (e.g. `field` for input errors). */
  extensions?: Record<string, unknown>;
}

/**
 * The one error type the core throws. `extensions.code` is the public contract; `backend` names the
 * backend id when one is involved. The cause is kept for logs but never serialised.
 */
export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;
  readonly backend: string | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, {
      extensions: {
        code,
        ...(options.backend !== undefined ? { backend: options.backend } : {}),
        ...(options.upstream !== undefined ? { upstream: options.upstream } : {}),
        ...options.extensions,
      },
      originalError: options.cause instanceof Error ? options.cause : undefined,
    });
    this.name = 'GatewayError';
    this.code = code;
    this.backend = options.backend;
    // Keep the cause out of enumerable properties so logs and JSON stay small and clean.
    Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
  }

  /** A copy bound to a backend (used when a generic error surfaces from a backend call). */
  withBackend(backend: string): GatewayError {
    if (this.backend === backend) return this;
    return new GatewayError(this.code, this.message, {
      backend,
      upstream: this.extensions['upstream'] as UpstreamDetail | undefined,
      cause: this.cause,
    });
  }
}

export const isGatewayError = (error: unknown): error is GatewayError => error instanceof GatewayError;

/** Codes that mean "the backend is not answering properly" (used for health and backoff). */
export const isBackendFault = (error: unknown): boolean =>
  isGatewayError(error) &&
  (error.code === ErrorCode.BACKEND_UNAVAILABLE ||
    error.code === ErrorCode.BACKEND_TIMEOUT ||
    error.code === ErrorCode.BACKEND_UNAUTHORIZED ||
    error.code === ErrorCode.BACKEND_ERROR);

/** Wraps anything thrown into a GatewayError naming the backend. */
export function toGatewayError(error: unknown, backend?: string): GatewayError {
  if (isGatewayError(error)) return backend ? error.withBackend(backend) : error;
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError(ErrorCode.INTERNAL_SERVER_ERROR, `Unexpected error: ${message}`, { backend, cause: error });
}
