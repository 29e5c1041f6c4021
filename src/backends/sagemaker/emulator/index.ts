import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorHandle, EmulatorStartOptions } from '../../module.js';
import { startEmulatorHttp, type EmulatorHttpServer } from '../../emulator-kit/index.js';
import { createSigV4Verifier, type EmulatorKey } from '../../awsml/emulator/sigv4.js';
import { seedDemo, startDemoSpawner } from './demo.js';
import { SageMakerFault } from './fault.js';
import { createJobStore, type JobStore, type JobStoreOptions } from './store.js';

/**
 * A SageMaker emulator for batch transform: AWS JSON 1.1 on `POST /` with
 * `X-Amz-Target: SageMaker.<Operation>`, every request's SigV4 signature verified (signing name
 * `sagemaker`), the service's error names, and jobs advancing one step per tick. Faults come from
 * the shared HTTP shell.
 */

const TARGET_PREFIX = 'SageMaker.';
const SERVICE = 'sagemaker';

export interface SageMakerEmulatorOptions extends EmulatorStartOptions {
  /** Region the emulator accepts in credential scopes. @default 'us-east-1' */
  region?: string;
  /** Extra access keys accepted besides the generated one. */
  keys?: Record<string, EmulatorKey>;
  /** Overrides of the job store (clock, scripts, limits). */
  store?: Omit<JobStoreOptions, 'region'>;
}

/** A running emulator plus test controls. */
export interface SageMakerEmulatorHandle extends EmulatorHandle {
  readonly region: string;
  readonly accessKeyId: string;
  readonly store: JobStore;
  /** Every authentic call's operation and decoded input, oldest first (to assert request shapes). */
  readonly calls: ReadonlyArray<{ operation: string; input: Record<string, unknown> }>;
  /** How many requests failed the signature check so far. */
  readonly rejections: number;
  /** Advances every live job one step now. */
  tick(): void;
  /** The next `count` requests for `operation` (any when absent) answer this error, after the signature check. */
  failNext(error: { type: string; status: number; message?: string; operation?: string; count?: number }): void;
}

interface ScriptedFailure {
  fault: SageMakerFault;
  operation: string | undefined;
  remaining: number;
}

/** Starts the emulator on 127.0.0.1 with a freshly generated access key, or the demo one (see `connection`). */
export async function startSageMakerEmulator(options: SageMakerEmulatorOptions = {}): Promise<SageMakerEmulatorHandle> {
  const region = options.region ?? 'us-east-1';
  const tickMs = options.tickMs ?? 1000;
  // A fresh secret per start unless the fixed, documented demo credentials are asked for (`npm run emulators`).
  const accessKeyId = options.demoCredentials ? 'AKIAEMULATORDEMO0002' : `AKIAEMU${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = options.demoCredentials ? 'emulator-demo-sagemaker-secret-key' : randomBytes(30).toString('base64');
  const keys = new Map<string, EmulatorKey>([[accessKeyId, { secretAccessKey }], ...Object.entries(options.keys ?? {})]);
  const verify = createSigV4Verifier({ region, service: SERVICE, keys });
  const store = createJobStore({ ...options.store, region });
  const failures: ScriptedFailure[] = [];
  const calls: Array<{ operation: string; input: Record<string, unknown> }> = [];
  let rejections = 0;

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateModel: (input) => store.createModel(input),
    DescribeModel: (input) => store.describeModel(input),
    CreateTransformJob: (input) => store.createTransformJob(input),
    DescribeTransformJob: (input) => store.describeTransformJob(input),
    ListTransformJobs: (input) => store.listTransformJobs(input),
    StopTransformJob: (input) => store.stopTransformJob(input),
  };

  const send = (res: ServerResponse, status: number, value: unknown, errorType?: string) => {
    const text = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazonaws.sagemaker/` } : {}),
    });
    res.end(text);
  };
  const sendFault = (res: ServerResponse, fault: SageMakerFault) => send(res, fault.status, { __type: fault.type, Message: fault.message }, fault.type);

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    if (req.method !== 'POST' || path !== '/') {
      sendFault(res, new SageMakerFault(404, 'UnknownOperationException', 'Only POST / is served'));
      return;
    }
    const rejection = await verify(req, body);
    if (rejection) {
      rejections += 1;
      sendFault(res, new SageMakerFault(rejection.status, rejection.type, rejection.message));
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!operation) {
      sendFault(res, new SageMakerFault(400, 'UnknownOperationException', `Unknown operation ${target}`));
      return;
    }
    const scripted = failures.find((failure) => failure.operation === undefined || failure.operation === name);
    if (scripted) {
      scripted.remaining -= 1;
      if (scripted.remaining <= 0) failures.splice(failures.indexOf(scripted), 1);
      sendFault(res, scripted.fault);
      return;
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendFault(res, new SageMakerFault(400, 'SerializationException', 'The request body is not valid JSON'));
      return;
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      sendFault(res, new SageMakerFault(400, 'SerializationException', 'The request body must be a JSON object'));
      return;
    }
    calls.push({ operation: name, input: input as Record<string, unknown> });
    try {
      send(res, 200, operation(input as Record<string, unknown>));
    } catch (error) {
      sendFault(res, error instanceof SageMakerFault ? error : new SageMakerFault(500, 'InternalFailure', 'The emulator failed'));
    }
  }

  const http: EmulatorHttpServer = await startEmulatorHttp(handle, {
    port: options.port ?? 0,
    refuseCredentials: (_req, res) => sendFault(res, new SageMakerFault(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')),
  });

  if (options.demo) seedDemo(store);
  const spawner = options.demo ? startDemoSpawner(store) : null;
  const timer = setInterval(() => {
    store.tick();
    spawner?.onTick();
  }, tickMs);
  timer.unref();

  return {
    url: http.origin,
    connection: { region, endpoint: http.origin, accessKeyId, secretAccessKey },
    http,
    region,
    accessKeyId,
    store,
    calls,
    get rejections() {
      return rejections;
    },
    tick: () => store.tick(),
    failNext(error) {
      failures.push({ fault: new SageMakerFault(error.status, error.type, error.message ?? `Emulated ${error.type}`), operation: error.operation, remaining: error.count ?? 1 });
    },
    async close() {
      clearInterval(timer);
      await http.close();
    },
  };
}
