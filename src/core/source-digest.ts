import { createHash } from 'node:crypto';

/**
 * Digests of the upstream bodies that values were parsed or mapped from. A change digest of a
 * large batch can then hash the few kilobytes of its own fields plus the body's digest, instead of
 * serialising thousands of mapped execution results again on every poll.
 */
const digests = new WeakMap<object, string>();

/** Notes that `value` was parsed from exactly `text` (and nothing else). */
export function recordSource<T>(value: T, text: string): T {
  if (typeof value === 'object' && value !== null) digests.set(value, createHash('sha1').update(text).digest('base64'));
  return value;
}

/** Notes that `derived` was computed from `source` alone, so it changes only when the source does. */
export function deriveSource(derived: object, source: object): void {
  const digest = digests.get(source);
  if (digest !== undefined) digests.set(derived, digest);
}

/** The digest of the body `value` came from, if one was recorded. */
export const sourceDigest = (value: object): string | undefined => digests.get(value);
