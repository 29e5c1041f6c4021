import { ErrorCode, GatewayError, isGatewayError } from '../core/errors.js';
import { translateHttpError } from './http-client.js';

// The translation of AWS SDK v3 errors into the contract's codes (docs/backends/awsml.md §8).

/** What an operation's "not found" means: the job itself, or something the input named (a model). */
export type NotFoundMeans = 'batch' | 'input';

const UNAUTHORIZED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
  'AccessDenied',
  'CredentialsProviderError',
]);
/** The SDK standard mode's throttling names (retried), plus the services' server-side faults. */
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
/** The input was refused as such: bad values, or the same id again with other parameters. */
const BAD_INPUT = new Set(['ValidationException', 'ResourceInUse', 'SerializationException', 'InvalidInputException', 'IdempotentParameterMismatchException']);
const NOT_FOUND_TYPES = new Set(['ResourceNotFound', 'ResourceNotFoundException']);
/** SageMaker answers an unknown job name with ValidationException and this kind of message. */
const NOT_FOUND_MESSAGE = /could not find|not found|does not exist/i;
const TRANSPORT_CODE = /^(E[A-Z]+|ERR_SOCKET_[A-Z_]+|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_[A-Z_]+)$/;

/**
 * The one translation of SDK failures: the service's exception names first, then transport faults.
 * `resource` names what a missing batch is to this service (`transform job`, `batch prediction`).
 */
export function translateAwsSdkError(error: unknown, backend: string, notFound: NotFoundMeans = 'batch', resource = 'transform job'): GatewayError {
  if (isGatewayError(error)) return error.withBackend(backend);
  const err = (error ?? {}) as { name?: string; message?: string; code?: string; $metadata?: unknown };
  const name = typeof err.name === 'string' ? err.name : '';
  const message = typeof err.message === 'string' ? err.message : '';
  const status = statusOf(error);
  const upstream = { code: name || null, message: message || null, status };
  const say = (code: ErrorCode, text: string) => new GatewayError(code, text, { backend, upstream, cause: error });

  if (name === 'TimeoutError' || name === 'AbortError') return say(ErrorCode.BACKEND_TIMEOUT, `Backend "${backend}" did not answer in time`);
  if (name === 'CredentialsProviderError') return say(ErrorCode.BACKEND_UNAUTHORIZED, `Backend "${backend}" has no usable AWS credentials`);
  // A connection dropped mid-answer surfaces with the 200 it had started with: a transport fault.
  if (typeof err.code === 'string' && TRANSPORT_CODE.test(err.code)) {
    return say(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" is unreachable (${err.code})`);
  }
  if (err.$metadata !== undefined && status !== null && status >= 300) {
    const notFoundType = NOT_FOUND_TYPES.has(name) || (name === 'ValidationException' && NOT_FOUND_MESSAGE.test(message));
    if (notFoundType && notFound === 'batch') return say(ErrorCode.BATCH_NOT_FOUND, `Backend "${backend}" has no such ${resource}`);
    if (notFoundType || BAD_INPUT.has(name)) {
      return say(ErrorCode.BAD_USER_INPUT, `Backend "${backend}" rejected the input: ${message || name}`);
    }
    if (UNAUTHORIZED.has(name) || status === 401 || status === 403) return say(ErrorCode.BACKEND_UNAUTHORIZED, `Backend "${backend}" refused the gateway's credentials`);
    if (UNAVAILABLE.has(name) || status >= 500 || status === 429) return say(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" is unavailable (${name || `HTTP ${status}`})`);
    if (name && name !== 'Unknown' && !name.endsWith('ServiceException')) {
      return say(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered ${name}${message ? `: ${message}` : ''}`);
    }
    return say(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered HTTP ${status}`);
  }
  // A body that is not JSON: the SDK's deserializer throws a SyntaxError-like error with the text.
  if (name === 'SyntaxError' || (error as { $responseBodyText?: unknown })?.$responseBodyText !== undefined) {
    return say(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered with a malformed body`);
  }
  return translateHttpError(error, backend);
}

/** The HTTP status an SDK error carries, if any. */
export function statusOf(error: unknown): number | null {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  if (typeof metadata?.httpStatusCode === 'number') return metadata.httpStatusCode;
  const response = (error as { $response?: { statusCode?: unknown } } | null)?.$response;
  return typeof response?.statusCode === 'number' ? response.statusCode : null;
}
