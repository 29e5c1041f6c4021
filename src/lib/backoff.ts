/** What a backoff starts from and where it stops growing. */
export interface BackoffOptions {
  /** The delay the first doubling starts from. */
  baseMs: number;
  /** The longest delay, however many failures. */
  maxMs: number;
}

/** `baseMs` doubled per failure (`failures` = 1 gives twice `baseMs`), at most `maxMs`. */
export function backoffDelay(failures: number, { baseMs, maxMs }: BackoffOptions): number {
  // The exponent is capped so a long outage cannot overflow to Infinity before the min.
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures, 16));
}

/**
 * A random share of `delayMs`, from `minShare` of it up to all of it, so many callers that failed
 * (or started) together do not all come back in step.
 */
export function withJitter(delayMs: number, minShare = 0.5): number {
  return Math.round(delayMs * (minShare + Math.random() * (1 - minShare)));
}
