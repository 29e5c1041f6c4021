import type { IncomingMessage, ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { EmulatorHandle, EmulatorStartOptions } from '../../module.js';
import { createAwsJsonService, type AwsJsonEmulatorControls, type AwsJsonEmulatorStartOptions } from '../../emulator-kit/aws/json-protocol.js';
import type { EmulatorKey } from '../../emulator-kit/aws/sigv4.js';
import { startAwsJsonEmulatorShell } from '../../emulator-kit/aws/emulator-shell.js';
import { createCatalog, type Catalog } from './catalog.js';
import { seedDemo, startDemoSpawner } from './demo.js';
import { AwsFault } from './input.js';
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

export interface AwsMlEmulatorOptions extends EmulatorStartOptions, AwsJsonEmulatorStartOptions {
  /** Overrides of the prediction store (clock, scripts, PENDING time, duplicate creates). */
  store?: PredictionStoreOptions;
  /** COMPLETED models and data sources to seed: model id → the data source it was trained on. */
  models?: Record<string, string>;
}

/** A running emulator plus test controls. */
export interface AwsMlEmulatorHandle extends EmulatorHandle, AwsJsonEmulatorControls {
  readonly store: PredictionStore;
  readonly catalog: Catalog;
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

/** Starts the emulator on 127.0.0.1 with a freshly generated access key (see `connection`). */
export async function startAwsMlEmulator(options: AwsMlEmulatorOptions = {}): Promise<AwsMlEmulatorHandle> {
  const region = options.region ?? 'us-east-1';
  const tickMs = options.tickMs ?? 1000;
  const catalog = createCatalog(() => Date.now() / 1000);
  catalog.seed(SAMPLE_MODEL_ID, SAMPLE_DATA_SOURCE_ID);
  for (const [model, dataSource] of Object.entries(options.models ?? {})) catalog.seed(model, dataSource);
  const store = createPredictionStore(catalog, options.store);
  let origin = '';

  const service = createAwsJsonService({
    targetPrefix: TARGET_PREFIX,
    service: SERVICE,
    region,
    demoKey: options.demoCredentials ? { accessKeyId: 'AKIAEMULATORDEMO0001', secretAccessKey: 'emulator-demo-secret-access-key' } : undefined,
    keys: options.keys,
    operations: {
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
    },
    // Without `x-amzn-errortype` the SDK names errors from the numeric `code` member.
    faultBody: (fault) => ({ __type: fault.type, message: fault.message, ...(fault instanceof AwsFault && fault.code !== null ? { code: fault.code } : {}) }),
    internalFault: new AwsFault(500, 'InternalServerException', 'The emulator failed', 500),
  });
  const { accessKeyId, secretAccessKey } = service;
  const logSigner = new SignatureV4({ service: 's3', region, credentials: { accessKeyId, secretAccessKey }, sha256: Sha256 });

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

  // Presigned log links are served besides the protocol's `POST /`.
  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    return req.method === 'GET' && path.startsWith('/logs/') ? serveLog(req, res, path) : service.handle(req, res, body);
  };
  const tick = () => {
    catalog.tick();
    store.tick();
  };
  let spawner: ReturnType<typeof startDemoSpawner> | null = null;
  const shell = await startAwsJsonEmulatorShell({ service, region, port: options.port, tickMs, tick, afterTick: () => spawner?.onTick(), handle });
  origin = shell.url;
  if (options.demo) {
    seedDemo(store, catalog);
    spawner = startDemoSpawner(store, catalog);
  }
  return Object.assign(shell, {
    store,
    catalog,
    failNext(error: Parameters<AwsMlEmulatorHandle['failNext']>[0]) {
      service.failNext({ ...error, fault: new AwsFault(error.status, error.type, error.message ?? `Emulated ${error.type}`, error.code ?? null) });
    },
    addKey: service.addKey,
    expireKey: service.expireKey,
  });
}
