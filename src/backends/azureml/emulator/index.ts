import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorHandle, EmulatorStartOptions } from '../../module.js';
import { sendJson, sendJsonText, startEmulatorHttp, type EmulatorHttpServer } from '../../emulator-kit/index.js';
import { createTokenStore, type TokenStore } from './auth.js';
import { createBatchStore, isFinished, type BatchStore, type Execution } from './batches.js';
import { startDemo } from './demo.js';
import { defaultServices, type EmulatedService, type ItemOutcome } from './services.js';
import { serviceSwagger } from './swagger.js';

/**
 * An ML Server (9.x) operationalization endpoint on loopback: `/login` tokens, the services catalogue,
 * synchronous consume, and the batch API (start, list, status with partial results, cancel, per-record
 * files), speaking the wire format of docs/backends/azureml.md so the official SDK could talk to it.
 */

export interface AzureMlEmulatorOptions extends EmulatorStartOptions {
  /** @default 'admin' */
  username?: string;
  /** @default 'emulator-password' */
  password?: string;
  /** Access-token lifetime; shorten it to expire tokens mid-run. @default 3600000 */
  tokenLifetimeMs?: number;
  /** Clock for token expiry, replaceable in tests. @default Date.now */
  now?: () => number;
  /** What `…/batch/{id}/{index}/files` calls the first record (docs/backends/azureml.md). @default 1 */
  artifactIndexBase?: 0 | 1;
}

export interface AzureMlEmulator extends EmulatorHandle {
  readonly connection: { url: string; username: string; password: string };
  readonly services: readonly EmulatedService[];
  readonly batches: BatchStore;
  readonly tokens: TokenStore;
  /** Advances every batch `ticks` steps at once, on top of the timer (tests use a long `tickMs`). */
  advance(ticks?: number): void;
  /**
   * Services (`name/version`) whose batch list answers this HTTP status, as realtime-only services
   * (400) or services the user may not read (403) do on a real server.
   */
  readonly listFailures: Map<string, number>;
}

export async function startAzureMlEmulator(options: AzureMlEmulatorOptions = {}): Promise<AzureMlEmulator> {
  const username = options.username ?? 'admin';
  const password = options.password ?? 'emulator-password';
  const services = defaultServices();
  const tokens = createTokenStore({ username, password, tokenLifetimeMs: options.tokenLifetimeMs, now: options.now });
  const batches = createBatchStore();
  const listFailures = new Map<string, number>();
  const indexBase = options.artifactIndexBase ?? 1;
  const findService = (name: string, version: string) => services.find((s) => s.name === name && s.version === version);
  const onTick: Array<() => void> = [];
  const advance = (ticks = 1) => {
    for (let i = 0; i < ticks; i += 1) {
      batches.tick();
      for (const listener of onTick) listener();
    }
  };

  const http: EmulatorHttpServer = await startEmulatorHttp(
    (req, res, body) => route(req, res, body, { tokens, batches, services, findService, listFailures, indexBase }),
    { port: options.port, refuseCredentials: (_req, res) => sendError(res, 401, 'Unauthorized') },
  );
  const timer = setInterval(advance, options.tickMs ?? 1000);
  timer.unref();
  const demo = options.demo ? startDemo({ batches, services, onTick }) : null;

  return {
    url: http.origin,
    connection: { url: http.origin, username, password },
    http,
    services,
    batches,
    tokens,
    advance,
    listFailures,
    async close() {
      clearInterval(timer);
      demo?.stop();
      await http.close();
    },
  };
}

interface Routing {
  tokens: TokenStore;
  batches: BatchStore;
  services: readonly EmulatedService[];
  findService(name: string, version: string): EmulatedService | undefined;
  listFailures: Map<string, number>;
  indexBase: 0 | 1;
}

/** The swagger `Error` body: `{code, message, fields}`. */
function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { code: status, message, fields: null });
}

function route(req: IncomingMessage, res: ServerResponse, body: Buffer, ctx: Routing): void {
  const url = new URL(req.url ?? '/', 'http://emulator');
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return sendError(res, 400, 'Bad request');
  }
  const method = req.method ?? 'GET';

  if (segments[0] === 'login') return routeLogin(method, segments.slice(1), url, body, res, ctx.tokens);
  if (!ctx.tokens.accepts(req.headers.authorization)) return sendError(res, 401, 'Unauthorized');

  if (segments[0] === 'services' && method === 'GET') {
    const [, name, version] = segments;
    const matching = ctx.services.filter((s) => (name === undefined || s.name === name) && (version === undefined || s.version === version));
    if (name !== undefined && matching.length === 0) return sendError(res, 404, 'Web service not found');
    if (version !== undefined) return sendJson(res, 200, describeService(matching[0]!));
    return sendJson(res, 200, matching.map(describeService));
  }

  if (segments[0] === 'api' && segments.length >= 3) {
    const service = ctx.findService(segments[1]!, segments[2]!);
    if (!service) return sendError(res, 404, 'Web service not found');
    return routeService(method, segments.slice(3), url, body, res, service, ctx);
  }
  return sendError(res, 404, 'Not found');
}

function routeLogin(method: string, rest: string[], url: URL, body: Buffer, res: ServerResponse, tokens: TokenStore): void {
  const json = parseJson(body);
  if (method === 'POST' && rest.length === 0) {
    const issued = tokens.login(field(json, 'username'), field(json, 'password'));
    return issued ? sendJson(res, 200, issued) : sendError(res, 401, 'Invalid Password');
  }
  if (method === 'POST' && rest[0] === 'refreshToken' && rest.length === 1) {
    const issued = tokens.refresh(field(json, 'refreshToken'));
    return issued ? sendJson(res, 200, issued) : sendError(res, 401, 'Invalid or expired refresh token');
  }
  if (method === 'DELETE' && rest[0] === 'refreshToken') {
    // The swagger puts the token in the path, the docs in the query: accept both.
    tokens.revoke(rest[1] ?? url.searchParams.get('refreshToken') ?? '');
    return sendJson(res, 200, null);
  }
  return sendError(res, 404, 'Not found');
}

function routeService(method: string, rest: string[], url: URL, body: Buffer, res: ServerResponse, service: EmulatedService, ctx: Routing): void {
  const batches = ctx.batches;
  if (rest.length === 1 && rest[0] === 'swagger.json' && method === 'GET') return sendJson(res, 200, serviceSwagger(service));
  // POST /api/{name}/{version}: synchronous consume of one record.
  if (rest.length === 0 && method === 'POST') {
    const record = parseJson(body);
    if (!isRecord(record)) return sendError(res, 400, 'Bad request');
    return sendJson(res, 200, itemResult(service.run(record, 0), true));
  }
  if (rest[0] !== 'batch') return sendError(res, 404, 'Not found');

  if (rest.length === 1 && method === 'POST') {
    const records = parseJson(body);
    const parallelCount = url.searchParams.has('parallelCount') ? Number(url.searchParams.get('parallelCount')) : 10;
    if (!Array.isArray(records) || records.length === 0 || !records.every(isRecord)) {
      return sendError(res, 400, 'Bad request: expected a non-empty JSON array of input parameter objects');
    }
    if (!Number.isInteger(parallelCount) || parallelCount < 1) return sendError(res, 400, 'Bad request: parallelCount must be a positive integer');
    const execution = batches.start(service, records, parallelCount);
    // Both spellings: the swagger's camelCase and the PascalCase the Python SDK reads.
    return sendJson(res, 202, { batchExecutionId: execution.id, BatchExecutionId: execution.id });
  }
  if (rest.length === 1 && method === 'GET') {
    const failure = ctx.listFailures.get(`${service.name}/${service.version}`);
    if (failure !== undefined) return sendError(res, failure, failure === 403 ? 'Forbidden' : failure === 400 ? 'Bad request' : 'Internal server error');
    return sendJson(res, 200, batches.ids(service));
  }

  const execution = rest[1] === undefined ? undefined : batches.get(service, rest[1]);
  if (!execution) return sendError(res, 404, 'Execution not found');

  if (rest.length === 2 && method === 'GET') {
    // The swagger spells it showPartialResults, the Python SDK showPartialResult.
    const partial = ['showPartialResults', 'showPartialResult'].some((name) => url.searchParams.get(name)?.toLowerCase() === 'true');
    return sendJsonText(res, 200, executionText(execution, partial));
  }
  if (rest.length === 2 && method === 'DELETE') {
    batches.delete(service, execution.id);
    return sendJson(res, 200, [execution.id]);
  }
  if (rest.length >= 4 && rest[3] === 'files' && method === 'GET') {
    const index = Number(rest[2]) - ctx.indexBase;
    if (!/^\d+$/.test(rest[2]!) || index < 0 || index >= execution.items.length) return sendError(res, 404, 'Index out of range');
    const outcome = index < execution.committed ? execution.items[index]!.outcome : null;
    const names = outcome ? Object.keys(outcome.files) : [];
    if (rest.length === 4) return sendJson(res, 200, names.length > 0 ? names : null);
    const file = rest.length === 5 && outcome ? outcome.files[rest[4]!] : undefined;
    if (!file) return sendError(res, 404, 'File not found');
    const bytes = file();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(bytes);
    return;
  }
  return sendError(res, rest.length > 4 ? 404 : 405, rest.length > 4 ? 'Not found' : 'Method not allowed');
}

function describeService(service: EmulatedService): Record<string, unknown> {
  return {
    name: service.name,
    version: service.version,
    runtimeType: 'Python',
    description: service.description,
    operationId: service.name.charAt(0).toLowerCase() + service.name.slice(1),
    inputParameterDefinitions: service.inputs,
    outputParameterDefinitions: service.outputs,
    outputFileNames: service.outputFileNames,
    versionPublishedBy: 'admin',
    myPermissionOnService: 'read/write',
  };
}

/**
 * An execution's answer only changes when its state or committed count does: pollers asking for a
 * large batch many times a second get the same text, serialised once.
 */
const executionTexts = new WeakMap<Execution, { key: string; text: string }>();
function executionText(execution: Execution, partial: boolean): string {
  const key = `${execution.state}/${execution.committed}/${partial || isFinished(execution)}`;
  const cached = executionTexts.get(execution);
  if (cached?.key === key) return cached.text;
  const text = JSON.stringify(describeExecution(execution, partial));
  executionTexts.set(execution, { key, text });
  return text;
}

function describeExecution(execution: Execution, partial: boolean): Record<string, unknown> {
  const showResults = partial || isFinished(execution);
  return {
    state: execution.state,
    completedItemCount: execution.committed,
    totalItemCount: execution.items.length,
    parallelCount: execution.parallelCount,
    batchExecutionResults: showResults ? execution.items.slice(0, execution.committed).map((item) => itemResult(item.outcome!, false)) : [],
  };
}

/**
 * One record's WebServiceResult. Synchronous answers carry file contents base64 in `outputFiles`;
 * batch answers only name them in `changedFiles` (the bytes come from `…/files/{name}`).
 */
function itemResult(outcome: ItemOutcome, inlineFiles: boolean): Record<string, unknown> {
  const names = Object.keys(outcome.files);
  return {
    success: outcome.success,
    errorMessage: outcome.errorMessage,
    consoleOutput: outcome.consoleOutput,
    changedFiles: names,
    outputParameters: outcome.outputParameters,
    outputFiles: inlineFiles ? Object.fromEntries(names.map((name) => [name, outcome.files[name]!().toString('base64')])) : {},
  };
}

function parseJson(body: Buffer): unknown {
  try {
    return body.length === 0 ? null : JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const field = (value: unknown, name: string): unknown => (isRecord(value) ? value[name] : undefined);
