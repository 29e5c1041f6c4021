import { describe, expect, it } from 'vitest';
import { createTokenSession } from './token-session.js';
import { tokenResponseSchema, type TokenResponse } from './wire.js';

/** A fake token endpoint: records calls, issues numbered tokens expiring `lifetimeS` after `clock`. */
function fakeBackend(clock: { now: number }, lifetimeS = 100) {
  const calls: string[] = [];
  let n = 0;
  let refuseRefresh = false;
  let failRefresh = false;
  const issue = (): TokenResponse => {
    n += 1;
    // Through the wire schema, as client.ts does: the swagger types expires_on as a string.
    return tokenResponseSchema.parse({ access_token: `a${n}`, refresh_token: `r${n}`, expires_on: String(Math.floor(clock.now / 1000) + lifetimeS) });
  };
  const gate = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
  return {
    calls,
    refuse: () => (refuseRefresh = true),
    breakRefresh: () => (failRefresh = true),
    login: async () => {
      calls.push('login');
      await gate();
      return issue();
    },
    refresh: async (token: string) => {
      calls.push(`refresh:${token}`);
      await gate();
      if (refuseRefresh) throw Object.assign(new Error('refused'), { refused: true });
      if (failRefresh) throw new Error('connection reset');
      return issue();
    },
    isRefused: (error: unknown) => (error as { refused?: boolean }).refused === true,
  };
}

/** A session on a fake token endpoint, with a clock moved by hand. */
function startSession(lifetimeS?: number, options: Partial<Parameters<typeof createTokenSession>[0]> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const backend = fakeBackend(clock, lifetimeS);
  const session = createTokenSession({ ...backend, now: () => clock.now, ...options });
  return { clock, backend, session };
}

describe('token session', () => {
  it('logs in once for many concurrent first callers', async () => {
    const { backend, session } = startSession();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => session.current()));
    expect(new Set(tokens)).toEqual(new Set(['a1']));
    expect(backend.calls).toEqual(['login']);
  });

  it('renews with the refresh token shortly before expires_on, given as a numeric string', async () => {
    const { clock, backend, session } = startSession(100, { renewMarginMs: 30_000 });
    await session.current();
    clock.now += 75_000; // before the margin (a fifth of 100 s = 20 s before expiry)
    expect(await session.current()).toBe('a1');
    clock.now += 10_000; // inside it
    expect(await Promise.all([session.current(), session.current()])).toEqual(['a2', 'a2']);
    expect(backend.calls).toEqual(['login', 'refresh:r1']);
  });

  it('renews once for every caller rejected with the same token, and not for a stale rejection', async () => {
    const { backend, session } = startSession();
    await session.current();
    expect(await Promise.all([session.rejected('a1'), session.rejected('a1')])).toEqual(['a2', 'a2']);
    expect(await session.rejected('a1')).toBe('a2');
    expect(backend.calls).toEqual(['login', 'refresh:r1']);
  });

  it('logs in again when the refresh token is refused', async () => {
    const { backend, session } = startSession();
    await session.current();
    backend.refuse();
    expect(await session.rejected('a1')).toBe('a2');
    expect(backend.calls).toEqual(['login', 'refresh:r1', 'login']);
  });

  it('keeps the refresh token when renewal fails for a transport fault', async () => {
    const { backend, session } = startSession();
    await session.current();
    backend.breakRefresh();
    await expect(session.rejected('a1')).rejects.toThrow('connection reset');
    await expect(session.rejected('a1')).rejects.toThrow('connection reset');
    expect(backend.calls).toEqual(['login', 'refresh:r1', 'refresh:r1']);
  });
});
