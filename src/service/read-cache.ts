import type { Batch } from '../core/model.js';

/** How a read may be answered from what is already cached or in flight. */
export interface ReadFreshness {
  /** Not from an answer already made (an in-flight read is still shared). */
  fresh?: boolean;
  /** Not from a read started before this time (epoch ms). */
  notBefore?: number;
}

interface Entry {
  promise: Promise<Batch>;
  /** Infinity while in flight. */
  expires: number;
  startedAt: number;
}

/**
 * Coalesces identical batch reads: one in flight at a time per key, and an answer shared for
 * `ttlMs` (kept below the poll interval, so pollers always see fresh data). Failures are not kept.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number) {}

  read(key: string, freshness: ReadFreshness, fetch: () => Promise<Batch>): Promise<Batch> {
    const now = Date.now();
    const cached = this.entries.get(key);
    const usable = cached && (cached.expires === Infinity || (!freshness.fresh && cached.expires > now)) && cached.startedAt >= (freshness.notBefore ?? 0);
    if (usable) return cached.promise;
    const entry: Entry = { promise: fetch(), expires: Infinity, startedAt: now };
    this.entries.set(key, entry);
    const forget = () => this.entries.get(key) === entry && this.entries.delete(key);
    entry.promise.then(
      () => {
        entry.expires = Date.now() + this.ttlMs;
        if (this.ttlMs === 0) forget();
        else setTimeout(forget, this.ttlMs).unref();
      },
      forget,
    );
    return entry.promise;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
