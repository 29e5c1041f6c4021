import type { BatchRef } from '../core/ids.js';
import type { Batch } from '../core/model.js';

/** What a watcher is told about a backend it cannot poll right now. */
export interface LiveError {
  code: string;
  message: string;
  backend: string | null;
}

/** One event of `batchProgress` / `batchUpdates`. */
export interface LiveEvent {
  batch: Batch;
  /** The batch reached SUCCEEDED, FAILED or CANCELLED: the last event of its stream. */
  terminal: boolean;
  /** Set while polling fails; `batch` is then the last one seen. */
  error: LiveError | null;
  /**
   * When a replica observed this (ms since the epoch, see `observedNow`); orders events of one batch
   * across replicas (`version-gate.ts`). 0 or absent: unknown.
   */
  version?: number;
}

export interface UpdatesFilter {
  backendId?: string | null;
  states?: readonly string[] | null;
}

/**
 * Turns polls into pushes. One implementation runs in-process; with Redis, replicas share pollers
 * through leases and fan events out over pub/sub.
 */
export interface LiveHub {
  /**
   * Events of one batch: its current state at once, then every visible change, ending after the
   * terminal event. Rejects with `BATCH_NOT_FOUND` (before any event) for an unknown batch.
   * `executions`: this watcher reads the batch's executions, so its polls must carry them; while no
   * watcher does, polls are summary reads (`BatchBackend.get`), and events may omit executions.
   */
  watchBatch(ref: BatchRef, options?: { executions?: boolean }): Promise<AsyncIterableIterator<LiveEvent>>;
  /** Every change of every batch matching the filter, new batches included; never ends by itself. */
  watchUpdates(filter: UpdatesFilter): AsyncIterableIterator<LiveEvent>;
  /** Counts for metrics and tests. */
  /** `leasesHeld`: batches this replica polls for every replica (Redis); `eventsRelayed`: events received from other replicas since start. */
  stats(): { batchPollers: number; listPollers: number; subscribers: number; leasesHeld: number; eventsRelayed: number };
  dispose(): Promise<void>;
}
