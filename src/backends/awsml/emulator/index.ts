import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { EmulatorHandle, EmulatorStartOptions } from '../../module.js';
import { startEmulatorHttp, type EmulatorHttpServer } from '../../emulator-kit/index.js';
import { createCatalog, type Catalog } from './catalog.js';
import { seedDemo, startDemoSpawner } from './demo.js';
import { AwsFault } from './input.js';
import { createSigV4Verifier, type EmulatorKey } from './sigv4.js';
import { createPredictionStore, type PredictionStore, type PredictionStoreOptions, type WireRecord } from './store.js';

/**
 * An Amazon Machine Learning emulator: AWS JSON 1.1 on `POST /`, every request's SigV4 signature
 * verified, batch predictions that advance one step per tick and refer to models and data sources
 * that must exist, and presigned log links served from `/logs/…`. Faults come from the shared HTTP
 * shell and `failNext`. Protocol notes: docs/backends/awsml.md.
 */

const TARGET_PREFIX = 'AmazonML_20141212.';
const SERVICE = 'machinelearning';
/** Always there, so the modules' sample start input runs: `awsMlModule.sampleStartInput`. */
const SAMPLE_MODEL_ID = 'ml-sample-model';
const SAMPLE_DATA_SOURCE_ID = 'ds-sample';

export interface AwsMlEmulatorOptions extends EmulatorStartOptions {
  /** Region the emulator accepts in credential scopes. @default 'us-east-1' */
  region?: string;
  /** Extra access keys accepted besides the generated one. */
  keys?: Record<string, EmulatorKey>;
  /** Overrides of the prediction store (clock, scripts, PENDING time, duplicate creates). */
  store?: PredictionStoreOptions;
  /** COMPLETED models and data sources to seed: model id → the data source it was trained on. */
  models?: Record<string, string>;
}

/** A running emulator plus test controls. */
export interface AwsMlEmulatorHandle extends EmulatorHandle {
  readonly region: string;
  readonly accessKeyId: string;
  readonly store: PredictionStore;
  readonly catalog: Catalog;
  /** Every authentic call's operation and decoded input, oldest first (to assert request shapes). */
  readonly calls: ReadonlyArray<{ operation: string; input: Record<string, unknown> }>;
  /** How many requests failed the signature check so far. */
  readonly rejections: number;
  /** Advances every live prediction one step now (tests that do not want to wait for ticks). */
  tick(): void;
  /**
   * The next `count` requests for `operation` (every operation when absent) answer this Amazon ML
   * error instead, after their signature was checked. With `afterRunning` the operation is carried
   * out first and only its answer is lost, as when a server fails after committing.
   */
  failNext(error: { type: string; status: number; message?: string; code?: number; operation?: string; count?: number; afterRunning?: boolean }): void;
  /** Accepts this key from now on (a rotation's new credentials). */
  addKey(accessKeyId: string, key: EmulatorKey): void;
  /** Answers this key with `ExpiredTokenException` from now on, as AWS does for expired session credentials. */
  expireKey(accessKeyId: string): void;
}

interface ScriptedFailure {
  fault: AwsFault;
  operation: string | undefined;
  remaining: number;
  afterRunning: boolean;
}

/** Starts the emulator on 127.0.0.1 with a freshly generated access key (see `connection`). */
export async function startAwsMlEmulator(options: AwsMlEmulatorOptions = {}): Promise<AwsMlEmulatorHandle> {
  const region = options.region ?? 'us-east-1';
  const tickMs = options.tickMs ?? 1000;
  // A fresh secret per start: nothing secret is written in code or config — except the documented
  // demo keys of `npm run emulators`, which open nothing but this emulator.
  const accessKeyId = options.demoCredentials ? 'AKIAEMULATORDEMO0001' : `AKIAEMU${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = options.demoCredentials ? 'emulator-demo-secret-access-key' : randomBytes(30).toString('base64');
  const keys = new Map<string, EmulatorKey>([[accessKeyId, { secretAccessKey }], ...Object.entries(options.keys ?? {})]);
  const expired = new Set<string>();
  const verify = createSigV4Verifier({ region, service: SERVICE, keys });
  const catalog = createCatalog(() => Date.now() / 1000);
  catalog.seed(SAMPLE_MODEL_ID, SAMPLE_DATA_SOURCE_ID);
  for (const [model, dataSource] of Object.entries(options.models ?? {})) catalog.seed(model, dataSource);
  const store = createPredictionStore(catalog, options.store);
  const logSigner = new SignatureV4({ service: 's3', region, credentials: { accessKeyId, secretAccessKey }, sha256: Sha256 });
  const failures: ScriptedFailure[] = [];
  const calls: Array<{ operation: string; input: Record<string, unknown> }> = [];
  let rejections = 0;
  let origin = '';

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateBatchPrediction: (input) => store.create(input),
    GetBatchPrediction: async (input) => withLogUri(store.get(input)),
    DescribeBatchPredictions: (input) => store.describe(input),
    UpdateBatchPrediction: (input) => store.update(input),
    DeleteBatchPrediction: (input) => store.delete(input),
    CreateDataSourceFromS3: (input) => catalog.createDataSource(input),
    GetDataSource: (input) => catalog.getDataSource(input),
    DescribeDataSources: (input) => catalog.describeDataSources(input),
    CreateMLModel: (input) => catalog.createModel(input),
    GetMLModel: (input) => catalog.getModel(input),
    DescribeMLModels: (input) => catalog.describeModels(input),
  };

  /** The log link is presigned like an S3 object URL (valid one hour), served by this emulator. */
  async function withLogUri(record: WireRecord): Promise<WireRecord & { LogUri?: string }> {
    if (record.StartedAt === undefined) return record;
    const url = await presignLog(record.BatchPredictionId, new Date());
    return { ...record, LogUri: url };
  }

  async function presignLog(id: string, signingDate: Date): Promise<string> {
    const { hostname, port } = new URL(origin);
    const signed = await logSigner.presign(
      new HttpRequest({ method: 'GET', protocol: 'http:', hostname, port: Number(port), path: `/logs/${id}.log`, headers: { host: `${hostname}:${port}` } }),
      { signingDate, expiresIn: 3600 },
    );
    const query = new URLSearchParams(signed.query as Record<string, string>);
    return `${origin}${signed.path}?${query.toString()}`;
  }

  async function serveLog(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const id = decodeURIComponent(path.slice('/logs/'.length).replace(/\.log$/, ''));
    const query = new URL(req.url ?? '/', origin).searchParams;
    const stored = store.predictions.get(id);
    const date = query.get('X-Amz-Date') ?? '';
    const signingDate = new Date(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const expected = stored && !Number.isNaN(signingDate.getTime()) ? new URL(await presignLog(id, signingDate)).searchParams.get('X-Amz-Signature') : null;
    if (!expected || expected !== query.get('X-Amz-Signature') || Date.now() - signingDate.getTime() > 3600_000) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>Request has expired or is not signed</Message></Error>');
      return;
    }
    const r = stored!.record;
    const lines = [
      `${new Date(r.CreatedAt * 1000).toISOString()} BatchPrediction ${r.BatchPredictionId} created for model ${r.MLModelId}`,
      ...(r.StartedAt ? [`${new Date(r.StartedAt * 1000).toISOString()} reading ${r.InputDataLocationS3}`] : []),
      ...(r.FinishedAt ? [`${new Date(r.FinishedAt * 1000).toISOString()} ${r.Status}: ${r.TotalRecordCount ?? 0} records, ${r.InvalidRecordCount ?? 0} invalid${r.Message ? ` (${r.Message})` : ''}`] : []),
    ];
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`${lines.join('\n')}\n`);
  }

  const sendAws = (res: ServerResponse, status: number, value: unknown, errorType?: string) => {
    const text = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      // The SDK names errors from this header first; without it, from the numeric `code` member.
      ...(errorType ? { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazonaws.machinelearning/` } : {}),
    });
    res.end(text);
  };
  const sendFault = (res: ServerResponse, fault: AwsFault) =>
    sendAws(res, fault.status, { __type: fault.type, message: fault.message, ...(fault.code !== null ? { code: fault.code } : {}) }, fault.type);

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    if (req.method === 'GET' && path.startsWith('/logs/')) return serveLog(req, res, path);
    if (req.method !== 'POST' || path !== '/') {
      sendFault(res, new AwsFault(404, 'UnknownOperationException', 'Only POST / is served'));
      return;
    }
    const keyId = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    if (keyId && expired.has(keyId)) {
      rejections += 1;
      sendFault(res, new AwsFault(400, 'ExpiredTokenException', 'The security token included in the request is expired'));
      return;
    }
    const rejection = await verify(req, body);
    if (rejection) {
      rejections += 1;
      sendFault(res, new AwsFault(rejection.status, rejection.type, rejection.message));
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
    if (!operation) {
      sendFault(res, new AwsFault(400, 'UnknownOperationException', `Unknown operation ${target}`));
      return;
    }
    const scripted = failures.find((failure) => failure.operation === undefined || TARGET_PREFIX + failure.operation === target);
    if (scripted) {
      scripted.remaining -= 1;
      if (scripted.remaining <= 0) failures.splice(failures.indexOf(scripted), 1);
      if (!scripted.afterRunning) {
        sendFault(res, scripted.fault);
        return;
      }
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendFault(res, new AwsFault(400, 'SerializationException', 'The request body is not valid JSON'));
      return;
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      sendFault(res, new AwsFault(400, 'SerializationException', 'The request body must be a JSON object'));
      return;
    }
    calls.push({ operation: target.slice(TARGET_PREFIX.length), input: input as Record<string, unknown> });
    try {
      const output = await operation(input as Record<string, unknown>);
      if (scripted?.afterRunning) sendFault(res, scripted.fault);
      else sendAws(res, 200, output);
    } catch (error) {
      if (error instanceof AwsFault) sendFault(res, error);
      else sendFault(res, new AwsFault(500, 'InternalServerException', 'The emulator failed', 500));
    }
  }

  const http: EmulatorHttpServer = await startEmulatorHttp(handle, {
    port: options.port ?? 0,
    refuseCredentials: (_req, res) =>
      sendFault(res, new AwsFault(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')),
  });
  origin = http.origin;

  if (options.demo) seedDemo(store, catalog);
  const spawner = options.demo ? startDemoSpawner(store, catalog) : null;
  const tick = () => {
    catalog.tick();
    store.tick();
  };
  const timer = setInterval(() => {
    tick();
    spawner?.onTick();
  }, tickMs);
  timer.unref();

  return {
    url: origin,
    connection: { region, endpoint: origin, accessKeyId, secretAccessKey },
    http,
    region,
    accessKeyId,
    store,
    catalog,
    calls,
    get rejections() {
      return rejections;
    },
    tick,
    failNext(error) {
      failures.push({
        fault: new AwsFault(error.status, error.type, error.message ?? `Emulated ${error.type}`, error.code ?? null),
        operation: error.operation,
        remaining: error.count ?? 1,
        afterRunning: error.afterRunning ?? false,
      });
    },
    addKey(id, key) {
      keys.set(id, key);
      expired.delete(id);
    },
    expireKey(id) {
      expired.add(id);
    },
    async close() {
      clearInterval(timer);
      await http.close();
    },
  };
}
