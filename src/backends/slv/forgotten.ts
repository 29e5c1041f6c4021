import { LRUCache } from 'lru-cache';
import { ErrorCode, GatewayError, type UpstreamDetail } from '../../core/errors.js';

/**
 * When SLV has forgotten a batch. SLV documents no answer for a batch id it does not know (or no
 * longer keeps), so a real server may say so in ways we have not seen: our unknown-batch code, a
 * generic error envelope, an exception text with HTTP 200 or 500. None of those alone proves the
 * batch is gone (a generic envelope may be a passing fault), so the policy is bounded instead
 * (docs/backends/slv.md, "Forgotten batches"):
 *
 * - a clear "unknown batch" answer about an id this process never saw answered well is final at once
 *   (nothing is lost: there is no state to keep polling for);
 * - otherwise every unknown-batch-like answer counts, and a good answer about the batch resets the
 *   count; after `afterAnswers` such answers in a row, or when the first of them is `afterMs` old,
 *   the batch is declared forgotten — but only if the server still accepts a cheap call (`probe`):
 *   a server failing every call is down, not forgetful;
 * - transport failures (refused, timeouts, 502–504, credentials) neither count nor reset.
 */

export interface ForgottenPolicyOptions {
  backendId: string;
  /** Unknown-batch-like answers in a row that make a batch forgotten. */
  afterAnswers: number;
  /** Or: how long unknown-batch-like answers may go on, from the first. */
  afterMs: number;
  /** A cheap call that succeeds when the server itself is fine. */
  probe: () => Promise<void>;
  /** @default Date.now */
  now?: () => number;
  /** Batches tracked at once; the least recently asked are dropped. @default 10000 */
  limit?: number;
}

interface Track {
  /** Answered well at least once by this process. */
  seen: boolean;
  /** Unknown-batch-like answers since the last good one. */
  strikes: number;
  /** When the first of those came; `null` while there are none. */
  since: number | null;
}

export interface ForgottenPolicy {
  /** A good answer about the batch. */
  answered(nativeId: string): void;
  /** A failed read: answers the error to throw (the original, or BATCH_NOT_FOUND once forgotten). */
  failed(nativeId: string, error: GatewayError): Promise<GatewayError>;
  clear(): void;
}

export function createForgottenPolicy(options: ForgottenPolicyOptions): ForgottenPolicy {
  const now = options.now ?? Date.now;
  const limit = options.limit ?? 10_000;
  // The least recently asked about batches are forgotten first.
  const tracks = new LRUCache<string, Track>({ max: limit });

  const track = (nativeId: string): Track => {
    const found = tracks.get(nativeId) ?? { seen: false, strikes: 0, since: null };
    tracks.set(nativeId, found);
    return found;
  };

  return {
    answered(nativeId) {
      const found = track(nativeId);
      found.seen = true;
      found.strikes = 0;
      found.since = null;
    },

    async failed(nativeId, error) {
      if (!isUnknownBatchLike(error)) return error;
      const found = track(nativeId);
      if (error.code === ErrorCode.BATCH_NOT_FOUND && !found.seen) return error;
      found.strikes += 1;
      found.since ??= now();
      const elapsed = now() - found.since;
      if (found.strikes < options.afterAnswers && elapsed < options.afterMs) return error;
      try {
        await options.probe();
      } catch {
        return error;
      }
      const upstream = (error.extensions['upstream'] ?? null) as UpstreamDetail | null;
      const last = upstream?.message ?? upstream?.label ?? error.message;
      return new GatewayError(
        ErrorCode.BATCH_NOT_FOUND,
        `SLV backend "${options.backendId}" no longer knows batch ${nativeId}: ${found.strikes} answer(s) without it in ${Math.round(elapsed / 1000)} s (last: ${last})`,
        { backend: options.backendId, ...(upstream ? { upstream } : {}), extensions: { forgotten: true }, cause: error },
      );
    },

    clear: () => tracks.clear(),
  };
}

/**
 * An answer that may mean "no such batch": our unknown-batch code or wording, any SLV error envelope
 * or unreadable body answered to `getBatchResult`, or an HTTP 500 (an exception page). Not: refused
 * credentials, timeouts, refused connections, 502–504.
 */
function isUnknownBatchLike(error: GatewayError): boolean {
  const upstream = (error.extensions['upstream'] ?? {}) as UpstreamDetail;
  switch (error.code) {
    case ErrorCode.BATCH_NOT_FOUND:
    case ErrorCode.BACKEND_ERROR:
      return true;
    case ErrorCode.BACKEND_UNAVAILABLE:
      return upstream.status === 500;
    default:
      return false;
  }
}
