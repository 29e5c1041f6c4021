import { LRUCache } from 'lru-cache';
import type { Batch, BatchState } from '../core/model.js';
import type { LiveEvent } from './events.js';
import { fingerprint } from './fingerprint.js';

/**
 * Ordering of a batch's events across replicas. Every event carries `version`, when a replica
 * observed it; relays can arrive late (a replica's pub/sub queue replayed after a Redis outage,
 * two replicas polling on their own while Redis was down), so each replica passes every event
 * through a gate before fan-out:
 *   - progress never goes backwards: an event whose state or counts are behind the last one
 *     delivered is dropped, whatever its version says;
 *   - progress ahead is always taken (clocks of replicas may disagree; the batch cannot);
 *   - at equal progress, only a newer observation that shows something new (a different batch or
 *     error) is taken: older or equal versions and consecutive duplicates are dropped.
 */

const STATE_RANK: Record<BatchState, number> = { QUEUED: 0, RUNNING: 1, CANCELLING: 2, SUCCEEDED: 3, FAILED: 3, CANCELLED: 3 };

/** How far a batch has come, compared element by element. */
function progressRank(batch: Batch): [number, number, number] {
  const { completedItems, failedItems, percent } = batch.progress;
  return [STATE_RANK[batch.state] ?? 0, (completedItems ?? 0) + (failedItems ?? 0), percent ?? 0];
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let at = 0; at < a.length; at += 1) if (a[at] !== b[at]) return a[at]! - b[at]!;
  return 0;
}

let lastVersion = 0;
/** A version for an observation made now: milliseconds since the epoch, strictly increasing in this process. */
export function observedNow(): number {
  lastVersion = Math.max(Date.now(), lastVersion + 0.001);
  return lastVersion;
}

interface Seen {
  version: number;
  rank: [number, number, number];
  print: string;
  errorCode: string | null;
}

export interface VersionGate {
  /** True when `event` moves the batch `key` on (see above); remembers it as the last one. */
  admit(key: string, event: LiveEvent): boolean;
}

/** A gate remembering the last event of up to `capacity` batches (the least recently moved are forgotten). */
export function createVersionGate(capacity = 10_000): VersionGate {
  const seen = new LRUCache<string, Seen>({ max: capacity });
  return {
    admit(key, event) {
      const next: Seen = {
        version: event.version ?? 0,
        rank: progressRank(event.batch),
        print: fingerprint(event.batch),
        errorCode: event.error?.code ?? null,
      };
      // A refused event does not count as a move: `peek` leaves the recency order alone.
      const last = seen.peek(key);
      if (last) {
        const order = compareRanks(next.rank, last.rank);
        if (order < 0) return false;
        if (order === 0) {
          if (next.print === last.print && next.errorCode === last.errorCode) return false;
          if (next.version <= last.version && next.version !== 0) return false;
        }
      }
      seen.set(key, next);
      return true;
    },
  };
}
