import { randomBytes } from 'node:crypto';

/**
 * The emulator's `/login` side: local-admin credentials, access tokens with an `expires_on`, and
 * single-use refresh tokens (renewing kills the old pair, as the ML Server docs describe).
 */

export interface TokenStoreOptions {
  username: string;
  password: string;
  /** Access-token lifetime. Tests shorten it to expire tokens mid-run. @default 3600000 */
  tokenLifetimeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

interface IssuedToken {
  token_type: 'Bearer';
  access_token: string;
  /** Seconds, as the docs' example shows. */
  expires_in: number;
  /** Epoch seconds; the token is refused from that second on. */
  expires_on: number;
  refresh_token: string;
}

export interface TokenStore {
  login(username: unknown, password: unknown): IssuedToken | null;
  refresh(refreshToken: unknown): IssuedToken | null;
  revoke(refreshToken: string): void;
  /** Whether an `Authorization` header carries a live access token. */
  accepts(authorization: string | undefined): boolean;
  /** Test control: every access token issued so far stops working (refresh tokens still do). */
  expireAccessTokens(): void;
  /** Test control: every refresh token issued so far stops working. */
  revokeRefreshTokens(): void;
}

export function createTokenStore(options: TokenStoreOptions): TokenStore {
  const now = options.now ?? Date.now;
  const lifetimeMs = options.tokenLifetimeMs ?? 3_600_000;
  /** access token → expiry in ms (a whole second, matching `expires_on`). */
  const access = new Map<string, number>();
  /** refresh token → the access token issued with it. */
  const refresh = new Map<string, string>();

  const issue = (): IssuedToken => {
    for (const [token, expiresAt] of access) if (expiresAt <= now()) access.delete(token);
    const expiresOn = Math.floor((now() + lifetimeMs) / 1000);
    const token: IssuedToken = {
      token_type: 'Bearer',
      access_token: randomBytes(24).toString('base64url'),
      expires_in: Math.round(lifetimeMs / 1000),
      expires_on: expiresOn,
      refresh_token: randomBytes(24).toString('base64url'),
    };
    access.set(token.access_token, expiresOn * 1000);
    refresh.set(token.refresh_token, token.access_token);
    return token;
  };

  return {
    login(username, password) {
      return username === options.username && password === options.password ? issue() : null;
    },
    refresh(refreshToken) {
      if (typeof refreshToken !== 'string') return null;
      const pairedAccess = refresh.get(refreshToken);
      if (pairedAccess === undefined) return null;
      refresh.delete(refreshToken);
      access.delete(pairedAccess);
      return issue();
    },
    revoke(refreshToken) {
      const pairedAccess = refresh.get(refreshToken);
      if (pairedAccess !== undefined) access.delete(pairedAccess);
      refresh.delete(refreshToken);
    },
    accepts(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match) return false;
      const expiresAt = access.get(match[1]!);
      return expiresAt !== undefined && now() < expiresAt;
    },
    expireAccessTokens() {
      access.clear();
    },
    revokeRefreshTokens() {
      refresh.clear();
    },
  };
}
