import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { emulatorRouter, requestBody, sendJson, sendJsonText } from '../../emulator-kit/index.js';
import type { TokenStore } from './auth.js';
import { isFinished, type BatchStore, type Execution } from './batches.js';
import type { EmulatedService, ItemOutcome } from './services.js';
import { serviceSwagger } from './swagger.js';

/** The ML Server operationalization API's routes (docs/backends/azureml.md). */

interface Routing {
  tokens: TokenStore;
  batches: BatchStore;
  services: readonly EmulatedService[];
  findService(name: string, version: string): EmulatedService | undefined;
  listFailures: Map<string, number>;
  indexBase: 0 | 1;
}

/** The swagger `Error` body: `{code, message, fields}`. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { code: status, message, fields: null });
}

const SERVICE = '/api/:name/:version';
const EXECUTION = `${SERVICE}/batch/:id`;

export function mlServerRoutes(ctx: Routing) {
  const { tokens, batches } = ctx;
  // ML Server ignores a trailing slash.
  const router = emulatorRouter({ strict: false });
  const service = (res: Response) => res.locals.service as EmulatedService;
  const execution = (res: Response) => res.locals.execution as Execution;

  router.post('/login', (req, res) => {
    const json = parseJson(requestBody(req));
    const issued = tokens.login(field(json, 'username'), field(json, 'password'));
    if (issued) sendJson(res, 200, issued);
    else sendError(res, 401, 'Invalid Password');
  });
  router.post('/login/refreshToken', (req, res) => {
    const issued = tokens.refresh(field(parseJson(requestBody(req)), 'refreshToken'));
    if (issued) sendJson(res, 200, issued);
    else sendError(res, 401, 'Invalid or expired refresh token');
  });
  // The swagger puts the token in the path, the docs in the query: accept both.
  router.delete('/login/refreshToken{/:token}{/*rest}', (req, res) => {
    tokens.revoke(req.params.token ?? queryText(req, 'refreshToken') ?? '');
    sendJson(res, 200, null);
  });
  router.all('/login{/*rest}', (_req, res) => sendError(res, 404, 'Not found'));

  router.use((req, res, next) => {
    if (tokens.accepts(req.headers.authorization)) next();
    else sendError(res, 401, 'Unauthorized');
  });

  router.get('/services{/:name}{/:version}{/*rest}', (req, res) => {
    const { name, version } = req.params;
    const matching = ctx.services.filter((s) => (name === undefined || s.name === name) && (version === undefined || s.version === version));
    if (name !== undefined && matching.length === 0) return sendError(res, 404, 'Web service not found');
    if (version !== undefined) return sendJson(res, 200, describeService(matching[0]!));
    sendJson(res, 200, matching.map(describeService));
  });

  router.all(`${SERVICE}{/*rest}`, (req, res, next) => {
    const found = ctx.findService(req.params.name, req.params.version);
    if (!found) return sendError(res, 404, 'Web service not found');
    res.locals.service = found;
    next();
  });
  router.get(`${SERVICE}/swagger.json`, (_req, res) => sendJson(res, 200, serviceSwagger(service(res))));
  // Synchronous consume of one record.
  router.post(SERVICE, (req, res) => {
    const record = parseJson(requestBody(req));
    if (!isRecord(record)) return sendError(res, 400, 'Bad request');
    sendJson(res, 200, itemResult(service(res).run(record, 0), true));
  });
  router.post(`${SERVICE}/batch`, (req, res) => {
    const records = parseJson(requestBody(req));
    const given = queryText(req, 'parallelCount');
    const parallelCount = given === undefined ? 10 : Number(given);
    if (!Array.isArray(records) || records.length === 0 || !records.every(isRecord)) {
      return sendError(res, 400, 'Bad request: expected a non-empty JSON array of input parameter objects');
    }
    if (!Number.isInteger(parallelCount) || parallelCount < 1) return sendError(res, 400, 'Bad request: parallelCount must be a positive integer');
    const started = batches.start(service(res), records, parallelCount);
    // Both spellings: the swagger's camelCase and the PascalCase the Python SDK reads.
    sendJson(res, 202, { batchExecutionId: started.id, BatchExecutionId: started.id });
  });
  router.get(`${SERVICE}/batch`, (_req, res) => {
    const { name, version } = service(res);
    const failure = ctx.listFailures.get(`${name}/${version}`);
    if (failure !== undefined) return sendError(res, failure, failure === 403 ? 'Forbidden' : failure === 400 ? 'Bad request' : 'Internal server error');
    sendJson(res, 200, batches.ids(service(res)));
  });

  router.all([`${SERVICE}/batch`, `${EXECUTION}{/*rest}`], (req, res, next) => {
    const id = req.params.id as string | undefined;
    const found = id === undefined ? undefined : batches.get(service(res), id);
    if (!found) return sendError(res, 404, 'Execution not found');
    res.locals.execution = found;
    next();
  });
  router.get(EXECUTION, (req, res) => {
    // The swagger spells it showPartialResults, the Python SDK showPartialResult.
    const partial = ['showPartialResults', 'showPartialResult'].some((name) => queryText(req, name)?.toLowerCase() === 'true');
    sendJsonText(res, 200, executionText(execution(res), partial));
  });
  router.delete(EXECUTION, (_req, res) => {
    batches.delete(service(res), execution(res).id);
    sendJson(res, 200, [execution(res).id]);
  });
  router.get(`${EXECUTION}/:index/files{/:file}`, (req, res) => {
    const { items, committed } = execution(res);
    const index = Number(req.params.index) - ctx.indexBase;
    if (!/^\d+$/.test(req.params.index) || index < 0 || index >= items.length) return sendError(res, 404, 'Index out of range');
    const outcome = index < committed ? items[index]!.outcome : null;
    const names = outcome ? Object.keys(outcome.files) : [];
    if (req.params.file === undefined) return sendJson(res, 200, names.length > 0 ? names : null);
    const file = outcome ? outcome.files[req.params.file] : undefined;
    if (!file) return sendError(res, 404, 'File not found');
    const bytes = file();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(bytes);
  });
  router.all(`${EXECUTION}{/:index}{/:part}`, (_req, res) => sendError(res, 405, 'Method not allowed'));

  router.use((_req, res) => sendError(res, 404, 'Not found'));
  // A path segment that is not valid percent-encoding.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof URIError) sendError(res, 400, 'Bad request');
    else next(error);
  });
  return router;
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

/** A query parameter's first value, as the service reads it. */
const queryText = (req: Request, name: string): string | undefined => new URL(req.originalUrl, 'http://emulator').searchParams.get(name) ?? undefined;
