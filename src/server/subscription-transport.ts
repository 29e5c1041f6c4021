import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
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
