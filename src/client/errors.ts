import type { GraphQLFormattedError } from 'graphql';

/**
 * A failure talking to the gateway: a GraphQL error (its contract code from `extensions.code`, and
 * the backend it concerns), or a transport problem (CONNECTION_FAILED, UNAUTHENTICATED, BAD_RESPONSE).
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly backend: string | null;
  constructor(message: string, code: string, backend: string | null = null) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
    this.backend = backend;
  }
}

/** A GraphQL error as JSON, keeping its contract code (INTERNAL_SERVER_ERROR when it has none). */
export function toGatewayError(error: GraphQLFormattedError): GatewayError {
  const extensions = (error.extensions ?? {}) as { code?: unknown; backend?: unknown };
  return new GatewayError(
    error.message,
    typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR',
    typeof extensions.backend === 'string' ? extensions.backend : null,
  );
}

export const UNAUTHENTICATED_MESSAGE = 'the gateway wants a valid token';
