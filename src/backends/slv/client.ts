import { HTTPError, type Response } from 'got';
import { CookieJar } from 'tough-cookie';
import type { BackendContext } from '../../core/backend.js';
import { createHttpClient } from '../../lib/http-client.js';
import { isHtml, parseBatch, parseObject, parseResult, RefusedError, throwIfEnvelopeError, translateSlvError } from './errors.js';
import type { SlvBatchResult } from './wire.js';

export { isUnknownMethodError, translateSlvError } from './errors.js';

/**
 * The only file of the SLV backend that does HTTP. It owns the session. With `auth: basic`, HTTP
 * Basic rides on every call; with `auth: form`, the servlet container's form login
 * (`auth.json`, `j_security_check`) opens a cookie session instead, and is done again when the
 * server drops it. Either way SLV 7.8+'s CSRF handshake follows (`GET api/userprofile/getCurrentUser`
 * with `X-CSRF-Token: Fetch`), whose token rides along on every later call. Older servers answer the
 * handshake without a token; then the credentials alone are all there is, and that works too.
 * See docs/backends/slv.md §6.
 */

export interface SlvClientOptions extends BackendContext {
  backendId: string;
  /** SLV base URL including the webapp path, e.g. `http://host:8080/reports`. */
  url: string;
  username: string;
  password: string;
  /** `basic`: HTTP Basic on every call. `form`: one form login per session. @default 'basic' */
  auth?: 'basic' | 'form';
}

/** One SLV API call. `ser=json` is always added to the query string. */
export interface SlvCall {
  method: 'GET' | 'POST';
  /** Path under `{url}/api/`, e.g. `batch/getBatchResult`. */
  path: string;
  /** Parameters: the query for a GET, a form body for a POST. Repeated keys make lists. @default [] */
  params?: ReadonlyArray<readonly [string, string]>;
  /** A raw body sent instead of a form (the CSV import); `params` then go in the query. */
  raw?: { body: string; contentType: string };
  /** Aborts the call (the gateway gives up on a read). */
  signal?: AbortSignal;
}

export interface SlvClient {
  /** Calls a method that answers a batch (`SLVBatchResult`), validated. */
  batch(call: SlvCall): Promise<SlvBatchResult>;
  /** Calls any method; answers its JSON object once it is known not to be an error envelope. */
  result(call: SlvCall): Promise<Record<string, unknown>>;
  /** One cheap authenticated call: the handshake when there is no session yet, else `getCurrentUser`. */
  probe(): Promise<void>;
  dispose(): Promise<void>;
}

interface Session {
  /** `null` when the server predates CSRF tokens (SLV < 7.8). */
  token: string | null;
  /** Tells a caller refused with an old session whether someone already made a new one. */
  generation: number;
}

export function createSlvClient(options: SlvClientOptions): SlvClient {
  const backend = options.backendId;
  const jar = new CookieJar();
  const form = options.auth === 'form';
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  const http = createHttpClient({
    ...options,
    prefixUrl: options.url,
    extend: {
      cookieJar: jar,
      responseType: 'text',
      headers: { ...(form ? {} : { authorization }), 'x-requested-with': 'XMLHttpRequest', accept: 'application/json' },
    },
  });

  /**
   * Form login: `auth.json` opens the session (cookie), `j_security_check` authenticates it
   * (302 on success; the login page again on failure), and `auth.json` then says
   * `{"authenticated":"true"}`. The redirect is not followed: its target is the web UI.
   */
  async function formLogin(): Promise<void> {
    await http.got.get('auth.json');
    const login = await http.got.post('j_security_check', {
      body: new URLSearchParams({ j_username: options.username, j_password: options.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      followRedirect: false,
      throwHttpErrors: false,
    });
    if (login.statusCode === 401 || login.statusCode === 403 || isHtml(login)) throw new RefusedError(login.statusCode);
    if (login.statusCode >= 400) throw new HTTPError(login);
    const check = await http.got.get('auth.json');
    const answer = isHtml(check) ? null : parseObject(check.body, backend);
    if (String(answer?.['authenticated']) !== 'true') throw new RefusedError(check.statusCode);
  }

  let session: Session | null = null;
  let handshakeInFlight: Promise<Session> | null = null;
  let generation = 0;

  /*
   * Single-flight session. Every caller awaits the same handshake; a caller refused with session
   * generation g asks for a new one only if g is still current, so a burst of refusals after the
   * server dropped our session causes exactly one new handshake, not one per caller.
   */
  function ensureSession(refusedGeneration?: number): Promise<Session> {
    if (session && session.generation !== refusedGeneration) return Promise.resolve(session);
    session = null;
    handshakeInFlight ??= handshake()
      .then((fresh) => {
        session = fresh;
        return fresh;
      })
      .finally(() => {
        handshakeInFlight = null;
      });
    return handshakeInFlight;
  }

  async function handshake(): Promise<Session> {
    // A refused session's cookie must not be sent back, or the server may keep the dead session.
    await jar.removeAllCookies();
    try {
      if (form) await formLogin();
      const response = await http.got.get('api/userprofile/getCurrentUser', {
        searchParams: { ser: 'json' },
        headers: { 'x-csrf-token': 'Fetch' },
      });
      if (isHtml(response)) throw new RefusedError(response.statusCode);
      parseObject(response.body, backend);
      const header = response.headers['x-csrf-token'];
      const token = typeof header === 'string' && header !== '' && !/^(fetch|required)$/i.test(header) ? header : null;
      generation += 1;
      return { token, generation };
    } catch (error) {
      throw translateSlvError(error, backend);
    }
  }

  async function send(call: SlvCall, current: Session): Promise<Response<string>> {
    const params = new URLSearchParams(call.params?.map(([key, value]): [string, string] => [key, value]) ?? []);
    const headers: Record<string, string> = current.token ? { 'x-csrf-token': current.token } : {};
    const path = `api/${call.path}`;
    const signal = call.signal;
    let response: Response<string>;
    try {
      if (call.method === 'GET') {
        params.append('ser', 'json');
        response = await http.got.get(path, { searchParams: params, headers, signal });
      } else if (call.raw) {
        params.append('ser', 'json');
        response = await http.got.post(path, {
          searchParams: params,
          body: call.raw.body,
          headers: { ...headers, 'content-type': call.raw.contentType },
          signal,
        });
      } else {
        response = await http.got.post(path, {
          searchParams: { ser: 'json' },
          body: params.toString(),
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
          signal,
        });
      }
    } catch (error) {
      if (error instanceof HTTPError && (error.response.statusCode === 401 || error.response.statusCode === 403)) {
        throw new RefusedError(error.response.statusCode);
      }
      throw error;
    }
    if (isHtml(response)) throw new RefusedError(response.statusCode);
    return response;
  }

  /** Sends once; when refused, makes (or joins) one new handshake and sends once more. */
  async function authorized(call: SlvCall): Promise<Response<string>> {
    const first = await ensureSession();
    try {
      return await send(call, first);
    } catch (error) {
      if (!(error instanceof RefusedError)) throw translateSlvError(error, backend);
    }
    const fresh = await ensureSession(first.generation);
    try {
      return await send(call, fresh);
    } catch (error) {
      // Refused with a brand-new session too: forget it, so the next call starts over.
      if (error instanceof RefusedError && session?.generation === fresh.generation) session = null;
      throw translateSlvError(error, backend);
    }
  }

  return {
    async batch(call) {
      const response = await authorized(call);
      return parseBatch(parseResult(response.body, backend), backend);
    },
    async result(call) {
      const response = await authorized(call);
      return parseResult(response.body, backend);
    },
    async probe() {
      if (!session) {
        await ensureSession();
        return;
      }
      const response = await authorized({ method: 'GET', path: 'userprofile/getCurrentUser' });
      const body = parseObject(response.body, backend);
      throwIfEnvelopeError(body, backend);
    },
    async dispose() {
      session = null;
      http.dispose();
      await jar.removeAllCookies();
    },
  };
}

