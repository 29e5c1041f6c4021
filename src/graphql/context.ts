import DataLoader from 'dataloader';
import { batchKey, type BatchRef } from '../core/ids.js';
import type { Batch } from '../core/model.js';
import type { LiveHub } from '../live/events.js';
import type { BatchService } from '../service/batch-service.js';
import type { GraphQLError } from 'graphql';

export interface GraphQLContext {
  service: BatchService;
  hub: LiveHub;
  /** Per request: identical batch reads in one operation go upstream once. */
  loaders: { batch: DataLoader<BatchRef, Batch, string> };
  /** Origin for absolute links (artifact downloads), e.g. `http://127.0.0.1:4000`. */
  origin: string;
  requestId: string;
  /** Removes credentials from backend text that a result carries as data (live and batch errors). */
  scrub: (text: string) => string;
  /** Errors to report beside data (a failing backend in a listing); added to the response by a plugin. */
  partialErrors: GraphQLError[];
}

/**
 * The loaders are made on first use: a subscription's context lives as long as the subscription and
 * its selection rarely loads anything, so 10,000 subscribers would otherwise hold 10,000 idle
 * DataLoaders (each with its cache map and batch queue).
 */
export function createContext(init: Omit<GraphQLContext, 'loaders' | 'partialErrors'>): GraphQLContext {
  let loaders: GraphQLContext['loaders'] | undefined;
  return {
    ...init,
    get loaders() {
      return (loaders ??= { batch: createBatchLoader(init.service) });
    },
    partialErrors: [],
  };
}

function createBatchLoader(service: BatchService): DataLoader<BatchRef, Batch, string> {
  return new DataLoader<BatchRef, Batch, string>(
    // Backends have no multi-get; the service coalesces and caches single reads across requests.
    // A key that fails yields its Error in place, as DataLoader expects.
    async (keys) => Promise.all(keys.map((key) => service.getBatch(key).catch((error: unknown) => error as Error))),
    { cacheKeyFn: batchKey },
  );
}
