import type { TokenResponse } from './wire.js';

/**
 * ML Server's bearer-token lifecycle, with the HTTP left to the caller (`client.ts`): log in once,
 * renew with the refresh token shortly before `expires_on`, renew once more when a call comes back
 * 401, and log in again when renewal is refused.
 *
 * The one rule that matters: at most one token request is in flight. Every caller that needs a token
 * while a login or renewal runs waits for that same promise. A refresh token is single-use upstream
 * (the answer carries a new one and the old pair dies), so two renewals racing would make the loser's
 * refresh token invalid and force a needless login.
 */

export interface TokenSessionOptions {
  /** `POST /login` with the configured credentials. */
  login: () => Promise<TokenResponse>;
  /** `POST /login/refreshToken` with the given refresh token. */
  refresh: (refreshToken: string) => Promise<TokenResponse>;
  /**
   * Whether a failed renewal means "the refresh token was refused" (so log in again) rather than
   * "the backend is not answering" (so give up now instead of piling a login on top).
   */
  isRefused: (error: unknown) => boolean;
  /** Renew this long before `expires_on`, capped at a fifth of the token's lifetime. @default 30000 */
  renewMarginMs?: number;
  /** Clock, replaceable in tests. @default Date.now */
  now?: () => number;
}

export interface TokenSession {
  /** A token good for the next call, renewing first when it is due. */
  current(): Promise<string>;
  /**
   * Called after `rejectedToken` drew a 401: renews unless someone already replaced that token, and
   * answers the token to retry with.
   */
  rejected(rejectedToken: string): Promise<string>;
  /** Forgets the token (nothing is revoked upstream). */
  clear(): void;
}

interface HeldToken {
  accessToken: string;
  refreshToken: string | null;
  /** When to renew proactively, in ms since the epoch; `null` when the server gave no expiry. */
  renewAt: number | null;
}

export function createTokenSession(options: TokenSessionOptions): TokenSession {
  const now = options.now ?? Date.now;
  const renewMarginMs = options.renewMarginMs ?? 30_000;
  let held: HeldToken | null = null;
  let inFlight: Promise<string> | null = null;

  const hold = (answer: TokenResponse): string => {
    const issuedAt = now();
    const expiresAt =
      answer.expires_on != null ? answer.expires_on * 1000 : answer.expires_in != null ? issuedAt + answer.expires_in * 1000 : null;
    const lifetime = expiresAt === null ? 0 : Math.max(0, expiresAt - issuedAt);
    held = {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token ?? null,
      renewAt: expiresAt === null ? null : expiresAt - Math.min(renewMarginMs, lifetime / 5),
    };
    return answer.access_token;
  };

  const renew = (): Promise<string> => {
    inFlight ??= (async () => {
      const refreshToken = held?.refreshToken;
      if (refreshToken) {
        try {
          return hold(await options.refresh(refreshToken));
        } catch (error) {
          // Kept on a transport fault: the refresh token may still be good once the backend is back.
          if (!options.isRefused(error)) throw error;
        }
      }
      held = null;
      return hold(await options.login());
    })().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  return {
    current() {
      if (inFlight) return inFlight;
      if (held && (held.renewAt === null || now() < held.renewAt)) return Promise.resolve(held.accessToken);
      return renew();
    },
    rejected(rejectedToken) {
      if (inFlight) return inFlight;
      if (held && held.accessToken !== rejectedToken) return Promise.resolve(held.accessToken);
      return renew();
    },
    clear() {
      held = null;
    },
  };
}
