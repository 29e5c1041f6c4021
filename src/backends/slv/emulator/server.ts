import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { EmulatorHandle, EmulatorStartOptions } from '../../module.js';
import { emulatorRouter, requestBody, requestParams, startEmulatorApp } from '../../emulator-kit/index.js';
import { SLV_UNKNOWN_BATCH_ERROR_CODE, SLV_UNKNOWN_METHOD_ERROR_CODE } from '../wire.js';
import { createSlvAuth, type SlvSession } from './auth.js';
import { createSlvDemo } from './demo.js';
import { createSlvBatchEngine, type SlvBatchEngine } from './engine.js';
import { commissionControllerScript, commissionDevicesScript, importCsvScript } from './scripts.js';
import { SEED_BATCH, SEED_BATCH_ID } from './seed-batch.js';
import { sendContainerError, sendExceptionText, sendLoginPage, sendSerialized } from './serialize.js';
import { UnreachableCaseError } from '../../../core/unreachable.js';

/**
 * An SLV CMS on loopback, speaking its NorthBound API under the webapp path `/reports`: HTTP Basic,
 * the 7.8+ CSRF handshake, the three asynchronous start methods, `getBatchResult`, and the
 * inferred `cancelBatch`. Answers are HTTP 200 `SLVResult`/`SLVBatchResult` objects; see
 * `../README.md` for what is observed and what is our decision.
 */

/** The webapp context path every URL lives under, as on a default SLV install. */
const SLV_WEBAPP_PATH = '/reports';

/**
 * How `getBatchResult` answers a batch id it does not know (real servers are undocumented here):
 * our unknown-batch envelope (code 604), a generic error envelope, a Java exception text with
 * HTTP 200, or a servlet container's HTTP 500 exception page.
 */
export type SlvUnknownBatchAnswer = 'unknown-batch' | 'generic-error' | 'exception-text' | 'server-error';

/** How `api/batch/cancelBatch` behaves: honoured, missing (servlet 404) or refused by the API. */
type SlvCancelSupport = 'supported' | 'not-found' | 'unknown-method';

export interface SlvEmulatorOptions extends EmulatorStartOptions {
  /** @default 'admin' */
  username?: string;
  /** @default a random password, handed out in `connection` (`slv-demo-password` with `demoCredentials`) */
  password?: string;
  /**
   * Behave as SLV 7.8+ (CSRF token handshake, token required on session POSTs). `false` emulates
   * SLV 6 to 7.7: plain Basic auth, the handshake header is ignored. @default true
   */
  csrf?: boolean;
}

export interface SlvEmulatorHandle extends EmulatorHandle {
  readonly engine: SlvBatchEngine;
  /** How `cancelBatch` answers; tests switch it to check the connector's UNSUPPORTED. @default 'supported' */
  cancelSupport: SlvCancelSupport;
  /** How an unknown batch id is answered. @default 'unknown-batch' */
  unknownBatchAnswer: SlvUnknownBatchAnswer;
  /** Makes the server forget a batch, as a restart or its retention would. */
  forget(id: string): void;
  /** Drops every session, as a server restart or session timeout would. */
  invalidateSessions(): void;
  /** Sessions currently open (one per CSRF handshake). */
  readonly sessionCount: number;
  /** Advances every batch one step at once, besides the timer. */
  tick(): void;
}

type Params = URLSearchParams;

export async function startSlvEmulator(options: SlvEmulatorOptions = {}): Promise<SlvEmulatorHandle> {
  const username = options.username ?? 'admin';
  const password = options.password ?? (options.demoCredentials ? 'slv-demo-password' : randomBytes(12).toString('base64url'));
  const auth = createSlvAuth({ username, password, webappPath: SLV_WEBAPP_PATH });
  const engine = createSlvBatchEngine();
  engine.pin(SEED_BATCH_ID, SEED_BATCH);
  const demo = options.demo ? createSlvDemo(engine, { login: username }) : null;
  let cancelSupport: SlvCancelSupport = 'supported';
  let unknownBatchAnswer: SlvUnknownBatchAnswer = 'unknown-batch';
  const csrf = options.csrf ?? true;

  const webapp = emulatorRouter();
  webapp.all('/auth.json', (req, res) => auth.authJson(req, res));
  webapp.post('/j_security_check', (req, res) => auth.securityCheck(req, res));
  // Every other path of the webapp needs credentials (and, on 7.8+, the CSRF token for session POSTs).
  webapp.use((req, res, next) => {
    const verdict = auth.authenticate(req);
    if (verdict === 'challenge') return auth.challenge(res);
    if (verdict === 'login-page') return sendLoginPage(res);
    if (csrf && req.method !== 'GET' && req.method !== 'HEAD' && !auth.csrfOk(req, verdict.session)) {
      return sendContainerError(res, 403, 'Forbidden', { 'x-csrf-token': 'Required' });
    }
    res.locals.session = verdict.session;
    next();
  });
  webapp.all('/api/userprofile/getCurrentUser', (req, res) => currentUser(req, res, requestParams(req), res.locals.session as SlvSession | null));
  webapp.all('/api/controllermanagement/commissionControllerAsync', (req, res) => {
    const params = requestParams(req);
    const controllerStrId = params.get('controllerStrId');
    const flags = params.get('flags');
    if (!controllerStrId) return sendError(res, params, missing('controllerStrId'));
    if (!flags || !/^\d+$/.test(flags)) return sendError(res, params, invalid('flags', flags));
    sendBatch(res, params, engine.create(commissionControllerScript(controllerStrId, Number(flags), { login: username })));
  });
  webapp.all('/api/controllermanagement/commissionControllerDevicesListAsync', (req, res) => {
    const params = requestParams(req);
    const controllerStrId = params.get('controllerStrId');
    const ids = params.getAll('idOnController');
    if (!controllerStrId) return sendError(res, params, missing('controllerStrId'));
    if (ids.length === 0) return sendError(res, params, missing('idOnController'));
    sendBatch(res, params, engine.create(commissionDevicesScript(controllerStrId, ids, { login: username })));
  });
  webapp.all('/api/loggingmanagement/importDevicesFromCsvFileAsync', (req, res) => importCsv(req, res, requestParams(req)));
  webapp.all('/api/servlet/SLVLoggingManagementAPI', (req, res) => {
    // The legacy servlet form (docs/backends/slv.md §6): the method is a parameter.
    const params = requestParams(req);
    if (params.get('methodName') !== 'importDevicesFromCsvFileAsync') return sendError(res, params, unknownMethod(params.get('methodName')));
    importCsv(req, res, params);
  });
  webapp.all('/api/batch/getBatchResult', (req, res) => {
    const params = requestParams(req);
    answerBatch(res, params, engine.get(params.get('batchId') ?? ''), params.get('batchId'));
  });
  webapp.all('/api/servlet/SLVBatchAPI', (req, res) => {
    // The legacy servlet form names the parameter `batch` (docs/backends/slv.md §6).
    const params = requestParams(req);
    if (params.get('methodName') !== 'getBatchResult') return sendError(res, params, unknownMethod(params.get('methodName')));
    answerBatch(res, params, engine.get(params.get('batch') ?? ''), params.get('batch'));
  });
  webapp.all('/api/batch/cancelBatch', (req, res) => {
    const params = requestParams(req);
    if (cancelSupport === 'not-found') return sendContainerError(res, 404, 'Not Found');
    if (cancelSupport === 'unknown-method') return sendError(res, params, unknownMethod('cancelBatch'));
    answerBatch(res, params, engine.cancel(params.get('batchId') ?? ''), params.get('batchId'));
  });
  webapp.all('/api/batch/desc', (req, res) => sendSerialized(res, requestParams(req), 'methods', batchMethods(cancelSupport === 'supported')));

  const routes = emulatorRouter();
  routes.all(SLV_WEBAPP_PATH, containerNotFound);
  routes.use(SLV_WEBAPP_PATH, webapp);
  routes.use(containerNotFound);

  function importCsv(req: Request, res: ServerResponse, params: Params): void {
    // SLV's own clients upload the file as the raw body; the servlet form sends `csvFile`.
    const csv = params.get('csvFile') ?? (isForm(req) ? '' : requestBody(req).toString('utf8'));
    sendBatch(res, params, engine.create(importCsvScript(csv, { login: username })));
  }

  /** A batch, or how this server answers an id it does not know (see `unknownBatchAnswer`). */
  function answerBatch(res: ServerResponse, params: Params, batch: Record<string, unknown> | null, id: string | null): void {
    if (batch) return sendBatch(res, params, batch);
    switch (unknownBatchAnswer) {
      case 'unknown-batch':
        return sendError(res, params, { errorCode: SLV_UNKNOWN_BATCH_ERROR_CODE, errorCodeLabel: 'Unknown batch', message: `No batch found with id '${id ?? ''}'` });
      case 'generic-error':
        return sendError(res, params, { errorCode: '1', errorCodeLabel: 'Error', message: 'An error occurred while processing the request' });
      case 'exception-text':
        return sendExceptionText(res, 200, id);
      case 'server-error':
        return sendExceptionText(res, 500, id);
      default:
        throw new UnreachableCaseError(unknownBatchAnswer, 'answer');
    }
  }

  function currentUser(req: IncomingMessage, res: ServerResponse, params: Params, existing: SlvSession | null): void {
    const headers: Record<string, string> = {};
    if (csrf && header(req, 'x-csrf-token')?.toLowerCase() === 'fetch') {
      let session = existing;
      if (!session) {
        session = auth.open();
        headers['set-cookie'] = auth.cookieHeader(session);
      }
      headers['x-csrf-token'] = session.token;
    }
    const user = { admin: true, firstName: 'Emulated', lastName: 'Administrator', login: username, password: '', profilName: 'Administrators' };
    sendSerialized(res, params, 'User', user, headers);
  }

  const http = await startEmulatorApp(routes, {
    port: options.port ?? 0,
    refuseCredentials: (_req, res) => sendLoginPage(res),
  });
  const sessions = auth.sessions;

  const tick = () => {
    engine.tick();
    demo?.tick();
  };
  const timer = setInterval(tick, options.tickMs ?? 1000);
  timer.unref();

  const url = `${http.origin}${SLV_WEBAPP_PATH}`;
  return {
    url,
    connection: { url, username, password },
    http,
    engine,
    get cancelSupport() {
      return cancelSupport;
    },
    set cancelSupport(next: SlvCancelSupport) {
      cancelSupport = next;
    },
    get unknownBatchAnswer() {
      return unknownBatchAnswer;
    },
    set unknownBatchAnswer(next: SlvUnknownBatchAnswer) {
      unknownBatchAnswer = next;
    },
    forget: (id: string) => engine.forget(id),
    invalidateSessions: () => sessions.clear(),
    get sessionCount() {
      return sessions.size;
    },
    tick,
    async close() {
      clearInterval(timer);
      sessions.clear();
      await http.close();
    },
  };
}

interface ApiError {
  errorCode: string;
  errorCodeLabel: string;
  message: string;
}

const missing = (name: string): ApiError => ({ errorCode: '602', errorCodeLabel: 'Invalid parameter', message: `Missing parameter '${name}'` });
const invalid = (name: string, value: string | null): ApiError => ({
  errorCode: '602',
  errorCodeLabel: 'Invalid parameter',
  message: `Invalid value '${value ?? ''}' for parameter '${name}'`,
});
const unknownMethod = (name: string | null): ApiError => ({
  errorCode: SLV_UNKNOWN_METHOD_ERROR_CODE,
  errorCodeLabel: 'Unknown method',
  message: `Unknown method: ${name ?? ''}`,
});

/** The `SLVResult` error envelope (HTTP 200), as every SLV API method answers a failure. */
function sendError(res: ServerResponse, params: Params, error: ApiError): void {
  sendSerialized(res, params, 'com.dotv.streetlightserver.api.data.SLVResult', {
    ...error,
    status: 'ERROR',
    statusError: true,
    statusOk: false,
    value: null,
  });
}

const sendBatch = (res: ServerResponse, params: Params, batch: Record<string, unknown>) => sendSerialized(res, params, 'SLVBatchResult', batch);

/** `desc` lists a servlet's methods (docs/backends/slv.md §6); here the batch servlet's. */
function batchMethods(withCancel: boolean) {
  const methods = [{ name: 'getBatchResult', params: ['batchId'] }];
  if (withCancel) methods.push({ name: 'cancelBatch', params: ['batchId'] });
  return methods;
}

const containerNotFound = (_req: Request, res: Response) => sendContainerError(res, 404, 'Not Found');

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const isForm = (req: IncomingMessage) => (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
