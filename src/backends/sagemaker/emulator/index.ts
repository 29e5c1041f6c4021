import type { EmulatorHandle, EmulatorStartOptions } from '../../module.js';
import { createAwsJsonService, type AwsJsonEmulatorControls, type AwsJsonEmulatorStartOptions } from '../../emulator-kit/aws/json-protocol.js';
import { startAwsJsonEmulatorShell } from '../../emulator-kit/aws/emulator-shell.js';
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

export interface SageMakerEmulatorOptions extends EmulatorStartOptions, AwsJsonEmulatorStartOptions {
  /** Overrides of the job store (clock, scripts, limits). */
  store?: Omit<JobStoreOptions, 'region'>;
}

/** A running emulator plus test controls. */
export interface SageMakerEmulatorHandle extends EmulatorHandle, AwsJsonEmulatorControls {
  readonly store: JobStore;
  /** The next `count` requests for `operation` (any when absent) answer this error, after the signature check. */
  failNext(error: { type: string; status: number; message?: string; operation?: string; count?: number }): void;
}

/** Starts the emulator on 127.0.0.1 with a freshly generated access key, or the demo one (see `connection`). */
export async function startSageMakerEmulator(options: SageMakerEmulatorOptions = {}): Promise<SageMakerEmulatorHandle> {
  const region = options.region ?? 'us-east-1';
  const tickMs = options.tickMs ?? 1000;
  const store = createJobStore({ ...options.store, region });
  const service = createAwsJsonService({
    targetPrefix: TARGET_PREFIX,
    service: SERVICE,
    region,
    demoKey: options.demoCredentials ? { accessKeyId: 'AKIAEMULATORDEMO0002', secretAccessKey: 'emulator-demo-sagemaker-secret-key' } : undefined,
    keys: options.keys,
    operations: {
      CreateModel: (input) => store.createModel(input),
      DescribeModel: (input) => store.describeModel(input),
      CreateTransformJob: (input) => store.createTransformJob(input),
      DescribeTransformJob: (input) => store.describeTransformJob(input),
      ListTransformJobs: (input) => store.listTransformJobs(input),
      StopTransformJob: (input) => store.stopTransformJob(input),
    },
    faultBody: (fault) => ({ __type: fault.type, Message: fault.message }),
    internalFault: new SageMakerFault(500, 'InternalFailure', 'The emulator failed'),
  });
  if (options.demo) seedDemo(store);
  const spawner = options.demo ? startDemoSpawner(store) : null;
  const shell = await startAwsJsonEmulatorShell({ service, region, port: options.port, tickMs, tick: () => store.tick(), afterTick: () => spawner?.onTick() });
  return Object.assign(shell, {
    store,
    failNext(error: Parameters<SageMakerEmulatorHandle['failNext']>[0]) {
      service.failNext({ ...error, fault: new SageMakerFault(error.status, error.type, error.message ?? `Emulated ${error.type}`) });
    },
  });
}
