import type { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { ErrorCode } from '../core/errors.js';
import type { GatewayConfig } from '../config/load.js';
import type { createContext } from '../graphql/context.js';
import type { DocumentCache } from './document-cache.js';
import type { OriginPolicy } from './origin.js';
import type { SharedSubscribe } from './shared-execution.js';

/** What each subscription transport (graphql-ws, Server-Sent Events) is built from. */
export interface SubscriptionTransportOptions {
  schema: GraphQLSchema;
  config: GatewayConfig;
  documents: DocumentCache;
  origins: OriginPolicy;
  shared: SharedSubscribe;
  /** The parts of a request context that do not depend on the request. */
  context: Omit<Parameters<typeof createContext>[0], 'origin' | 'requestId'>;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/** Everything a subscription's result depends on besides the event itself: subscriptions with equal keys share one execution. */
export const sharedExecutionKey = (request: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }, origin: string): string =>
  [request.query, request.operationName ?? '', JSON.stringify(request.variables ?? {}), origin].join('\u0000');

/**
 * A result as a live transport sends it: every error formatted as over HTTP (a code on each, internals
 * masked), and the errors a client sees only as "Internal error", to log with their cause. Errors of
 * a result without data stopped the operation before it ran: graphql-js's words for variables it
 * could not coerce, which Apollo answers over HTTP as `BAD_USER_INPUT`.
 */
export function formatLiveResult(
  result: ExecutionResult,
  formatError: SubscriptionTransportOptions['formatError'],
): { result: FormattedExecutionResult; masked: GraphQLError[] } {
  if (!result.errors?.length) return { result, masked: [] };
  const beforeExecution = result.data === undefined;
  const masked: GraphQLError[] = [];
  const errors = result.errors.map((error: GraphQLError) => {
    const formatted = error.toJSON();
    const coded = beforeExecution && formatted.extensions?.['code'] === undefined ? { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } } : formatted;
    const sent = formatError(coded, error);
    if (sent.extensions?.['code'] === ErrorCode.INTERNAL_SERVER_ERROR) masked.push(error);
    return sent;
  });
  return { result: { ...result, errors }, masked };
}
