import { backoffDelay, withJitter } from '../lib/backoff.js';

/** What the next poll of one batch is planned from. */
export interface PollPlan {
  /** Gap wanted between two polls (the interval, or an idle or backoff delay). */
  delayMs: number;
  /** When the previous poll was due; the next is due `delayMs` later. */
  previousDueAt: number;
  /** When the previous poll actually went out (timers fire late under load). */
  previousStartedAt: number;
  now: number;
}

/** Shortest gap allowed between two polls of one batch, as a fraction of the planned delay. */
const MIN_GAP_RATIO = 0.9;

/**
 * When the next poll of a batch is due (epoch ms; `now` or earlier means at once).
 *
 * Planned from the previous poll's *due* time, not from its answer: the upstream round trip and
 * event-loop lag would otherwise add to every period, and with many batches the polls per interval
 * would fall below one per batch. Two guards keep it polite:
 * - a poll that went out late is not followed by one close behind it: the gap to the next start is
 *   at least `MIN_GAP_RATIO` of the delay;
 * - after a whole missed period (a long stall, a very slow answer), the phase restarts from now
 *   instead of catching up with a burst of polls.
 */
export function nextPollDue(plan: PollPlan): number {
  const due = Math.max(plan.previousDueAt + plan.delayMs, plan.previousStartedAt + plan.delayMs * MIN_GAP_RATIO);
  return due < plan.now - plan.delayMs ? plan.now : due;
}

/** Unchanged polls in a row after which a batch counts as idle and its polls slow down. */
const IDLE_AFTER = 3;

/**
 * The gap wanted before a batch's next poll: `intervalMs` while it changes; after `IDLE_AFTER`
 * unchanged polls, half as long again each time up to `maxIntervalMs`; while the backend fails,
 * doubling with jitter up to the same cap.
 */
export function pollDelay(state: { failures: number; unchanged: number; intervalMs: number; maxIntervalMs: number }): number {
  const { failures, unchanged, intervalMs, maxIntervalMs } = state;
  if (failures > 0) return withJitter(backoffDelay(failures, { baseMs: intervalMs, maxMs: maxIntervalMs }));
  if (unchanged < IDLE_AFTER) return intervalMs;
  return Math.min(maxIntervalMs, Math.round(intervalMs * 1.5 ** (unchanged - IDLE_AFTER + 1)));
}
