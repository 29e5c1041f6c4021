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
  /**
   * Asked by the lease holder right before each upstream poll, and checked where the lease lives:
   * `'poll'` when this replica still holds the lease and nobody polled `key` within `spacingMs`;
   * `'not-holder'` when the lease has passed to another replica (whatever this replica's clock
   * says); a number of milliseconds to wait when another poll was that recent. This is the fencing
   * that keeps a replica whose event loop stalled past its lease from polling next to the new holder.
   * Absent: every poll goes ahead (one process).
   */
  claimPoll?(key: string, spacingMs: number): Promise<'poll' | 'not-holder' | number>;
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
