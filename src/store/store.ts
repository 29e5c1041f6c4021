import type { Batch } from '../core/model.js';

/** What the gateway alone knows about a batch: that it started or cancelled it, and how it last looked. */
export interface BatchRecord {
  backendId: string;
  nativeId: string;
  /** When the gateway started it (ISO string); null for batches it only cancelled. */
  startedAt: string | null;
  cancelledAt: string | null;
  /** The batch as last seen (JSON of the domain model). */
  snapshot: Batch | null;
}

export type IdempotencyClaim =
  /** The key is ours: start the batch, then `completeIdempotency`. */
  | { status: 'claimed' }
  /** The key was used for this batch already. */
  | { status: 'done'; backendId: string; nativeId: string }
  /** Another request holds the key and has not finished yet. */
  | { status: 'pending' }
  /** The key was used with different parameters. */
  | { status: 'mismatch' }
  /**
   * A start with this key was sent and its answer lost (timeout, connection dropped): it may have
   * started upstream. The key stays claimed, never taken over, until reconciled.
   */
  | { status: 'unknown' };

export interface RecordPage {
  records: BatchRecord[];
  /** Offset of the next page; null at the end. */
  next: number | null;
}

/**
 * The gateway's durable records: an embedded database by default, Redis when replicas share them.
 * Both implementations pass `test/store-suite.ts`.
 */
export interface Store {
  recordStarted(batch: Batch): Promise<void>;
  recordCancelled(batch: Batch): Promise<void>;
  /** Refreshes the snapshot of a recorded batch; a batch the gateway never recorded is ignored. */
  updateSnapshot(batch: Batch): Promise<void>;
  get(backendId: string, nativeId: string): Promise<BatchRecord | null>;
  /** Records of one backend, newest first; `cancelledOnly` for those the gateway cancelled. */
  list(backendId: string, options: { offset: number; limit: number; cancelledOnly?: boolean }): Promise<RecordPage>;

  /**
   * Atomically claims an idempotency key for a start with this fingerprint (a hash of its input).
   * A claim older than `staleAfterMs` whose start never finished is taken over.
   */
  claimIdempotency(key: string, fingerprint: string, staleAfterMs: number): Promise<IdempotencyClaim>;
  completeIdempotency(key: string, backendId: string, nativeId: string): Promise<void>;
  /** Frees a claimed key after a failed start, so the client may retry. */
  releaseIdempotency(key: string): Promise<void>;
  /** Marks a claimed, unfinished key as "outcome unknown": later claims answer `unknown`, never `claimed`. */
  markIdempotencyUnknown(key: string): Promise<void>;

  /** Resolves when the store answers (readiness); rejects when it cannot be reached. */
  ping(): Promise<void>;

  dispose(): Promise<void>;
}

/** Dates inside a snapshot come back as strings from JSON; turn them back into Dates. */
export function reviveBatch(json: string): Batch {
  const batch = JSON.parse(json) as Batch;
  for (const key of ['createdAt', 'startedAt', 'finishedAt'] as const) {
    const value = batch[key] as unknown;
    batch[key] = typeof value === 'string' ? new Date(value) : null;
  }
  return batch;
}
