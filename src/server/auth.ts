import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Client tokens from `auth.tokens`. Compared as SHA-256 digests in constant time, so neither the
 * token's length nor its prefix leaks through timing.
 */
export interface TokenCheck {
  readonly enabled: boolean;
  /** True when auth is off, or the `Authorization: Bearer <token>` value names a configured token. */
  accepts(authorization: string | undefined | null): boolean;
}

export function createTokenCheck(tokens: readonly string[] | undefined): TokenCheck {
  const digests = (tokens ?? []).map((token) => digest(token));
  return {
    enabled: digests.length > 0,
    accepts(authorization) {
      if (digests.length === 0) return true;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return false;
      const given = digest(match[1]!);
      // Compare with every token so the time taken does not tell which one matched.
      return digests.reduce((found, expected) => timingSafeEqual(expected, given) || found, false);
    },
  };
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
