import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { Request } from 'express';
import { requestParams, sendJson } from '../../emulator-kit/index.js';
import { sendLoginPage } from './serialize.js';

/**
 * How the emulated SLV webapp authenticates, as its servlet container does (docs/backends/slv.md §6):
 * - HTTP Basic, realm "Authentication required": a missing or wrong credential gets 401 with the
 *   challenge, so clients that wait for it (Python's HTTPBasicAuthHandler) work;
 * - form login: `GET auth.json` opens a session (cookie; the login page while unauthenticated),
 *   `POST j_security_check` with `j_username`/`j_password` answers 302 (the login page again when
 *   wrong), then `auth.json` says `{"authenticated":"true"}`;
 * - a cookie of a session that is gone, without Basic, gets the HTML login page with HTTP 200;
 * - SLV 7.8+ CSRF: `X-CSRF-Token: Fetch` on `getCurrentUser` hands out the session's token, which
 *   POSTs from a cookie session must carry.
 */

const SLV_BASIC_REALM = 'Authentication required';

export interface SlvSession {
  id: string;
  token: string;
  /** False between `auth.json` and a successful `j_security_check`. */
  authenticated: boolean;
}

type SlvAuthVerdict = { session: SlvSession | null } | 'challenge' | 'login-page';

export interface SlvAuth {
  readonly sessions: Map<string, SlvSession>;
  /** Who is calling an API path: a live session, valid Basic, or how to refuse. */
  authenticate(req: IncomingMessage): SlvAuthVerdict;
  /** A POST from a cookie session must carry that session's token; plain Basic needs none. */
  csrfOk(req: IncomingMessage, session: SlvSession | null): boolean;
  /** Serves `auth.json`: whether the session is logged in, else the login page (opening a session). */
  authJson(req: IncomingMessage, res: ServerResponse): void;
  /** Serves the form login's `POST j_security_check`. */
  securityCheck(req: Request, res: ServerResponse): void;
  /** A new authenticated session (the CSRF handshake with valid Basic). */
  open(): SlvSession;
  /** The `Set-Cookie` value of a session. */
  cookieHeader(session: SlvSession): string;
  challenge(res: ServerResponse): void;
}

export function createSlvAuth(options: { username: string; password: string; webappPath: string }): SlvAuth {
  const expected = Buffer.from(`Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`);
  const sessions = new Map<string, SlvSession>();
  const cookieHeader = (session: SlvSession) => serializeCookie(SESSION_COOKIE, session.id, { path: options.webappPath, httpOnly: true });

  const basicOk = (header: string): boolean => {
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const sessionOf = (req: IncomingMessage): SlvSession | null => {
    const id = sessionCookie(req);
    return id ? (sessions.get(id) ?? null) : null;
  };
  const create = (authenticated: boolean): SlvSession => {
    const session = { id: randomUUID().replace(/-/g, '').toUpperCase(), token: randomUUID(), authenticated };
    sessions.set(session.id, session);
    return session;
  };
  const challenge = (res: ServerResponse) => {
    const html = '<!doctype html><html><head><title>HTTP Status 401</title></head><body><h1>HTTP Status 401 – Unauthorized</h1></body></html>';
    res.writeHead(401, {
      'www-authenticate': `Basic realm="${SLV_BASIC_REALM}"`,
      'content-type': 'text/html;charset=utf-8',
      'content-length': String(Buffer.byteLength(html)),
    });
    res.end(html);
  };

  return {
    sessions,
    challenge,
    open: () => create(true),
    cookieHeader,

    authenticate(req) {
      const session = sessionOf(req);
      const header = req.headers.authorization;
      if (header !== undefined) return basicOk(header) ? { session: session?.authenticated ? session : null } : 'challenge';
      if (session?.authenticated) return { session };
      return sessionCookie(req) === undefined ? 'challenge' : 'login-page';
    },

    csrfOk(req, session) {
      const sent = req.headers['x-csrf-token'];
      if (sent === undefined && sessionCookie(req) === undefined) return true;
      return session !== null && sent === session.token;
    },

    authJson(req, res) {
      const session = sessionOf(req);
      if (session?.authenticated) return sendJson(res, 200, { authenticated: 'true' });
      const fresh = session ?? create(false);
      res.setHeader('set-cookie', cookieHeader(fresh));
      sendLoginPage(res);
    },

    securityCheck(req, res) {
      const params = requestParams(req);
      const session = sessionOf(req) ?? create(false);
      if (params.get('j_username') === options.username && params.get('j_password') === options.password) {
        session.authenticated = true;
        res.writeHead(302, { location: `${options.webappPath}/auth.json`, 'set-cookie': cookieHeader(session), 'content-length': '0' });
        res.end();
      } else {
        res.setHeader('set-cookie', cookieHeader(session));
        sendLoginPage(res);
      }
    },
  };
}

const SESSION_COOKIE = 'JSESSIONID';
const sessionCookie = (req: IncomingMessage): string | undefined => parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
