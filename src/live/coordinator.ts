import type { LiveEvent } from './events.js';

/**
 * How pollers cooperate. In one process every poller may poll and events go straight to local
 * subscribers; with Redis (`redis-coordinator.ts`) a lease decides which replica polls a batch and
 * events travel over pub/sub to every replica.
 */
export interface Coordinator {
  /**
   * True when this replica is the only one: every lease is always ours, so pollers skip the lease
   * heartbeat. @default false
   */
  readonly alone?: boolean;
  /** Takes or renews the lease on `key` for `ttlMs`; true while this replica holds it. */
  acquire(key: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (the batch ended, or nobody here watches it any more). */
  release(key: string): Promise<void>;
  /** Sends an event to the other replicas' subscribers of `key` (local ones are served directly). */
  publish(key: string, event: LiveEvent): Promise<void>;
  /** Receives events other replicas publish for `key`. Returns the unsubscribe function. */
  subscribe(key: string, onEvent: (event: LiveEvent) => void): () => void;
  dispose(): Promise<void>;
}

/** One process: this replica always polls, nobody else listens. */
export function createLocalCoordinator(): Coordinator {
  return {
    alone: true,
    acquire: async () => true,
    release: async () => undefined,
    publish: async () => undefined,
    subscribe: () => () => undefined,
    dispose: async () => undefined,
  };
}
