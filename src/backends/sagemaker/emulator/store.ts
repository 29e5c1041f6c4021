import { SageMakerFault, shown, validation } from './fault.js';
import type { JobScript, StoredJob, WireJob } from './job.js';
import { listJobs } from './listing.js';

/**
 * The emulator's SageMaker state: models and transform jobs, the jobs' scripted lives (InProgress
 * waiting for instances → InProgress transforming → Completed/Failed, one step per tick; Stopping →
 * Stopped) and the semantics of the operations. No HTTP here: `index.ts` decodes and encodes.
 */

const ACCOUNT = '000000000000';

export interface StoredModel {
  ModelName: string;
  ModelArn: string;
  CreationTime: number;
  ExecutionRoleArn?: string;
  PrimaryContainer?: Record<string, unknown>;
}

const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const S3_URI = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
const SPLIT_TYPES = ['None', 'Line', 'RecordIO', 'TFRecord'];
const S3_DATA_TYPES = ['S3Prefix', 'ManifestFile', 'AugmentedManifestFile'];

/** Models every emulator has, so the sample and demo jobs can name them without a CreateModel. */
const BUILT_IN_MODELS = ['batchgate-sample-model', 'churn-xgboost-v7', 'fraud-detector-v3', 'forecast-deepar-fail'];

/**
 * The default life of a job, from its model name so tests and demos script outcomes through the
 * real API: a model named with `fail` fails.
 */
function defaultScript(record: WireJob): JobScript {
  if (record.ModelName.toLowerCase().includes('fail')) {
    return { pendingTicks: 1, runningTicks: 3, outcome: 'Failed', failureReason: 'ClientError: See job logs for more information' };
  }
  return { pendingTicks: 1, runningTicks: 3, outcome: 'Completed', failureReason: null };
}

export interface JobStoreOptions {
  region?: string;
  /** Clock in epoch ms. @default Date.now */
  now?: () => number;
  scriptFor?: (record: WireJob) => JobScript;
  /** InProgress jobs allowed at once before ResourceLimitExceeded. @default 100 */
  maxInProgress?: number;
}

export type JobStore = ReturnType<typeof createJobStore>;

export function createJobStore(options: JobStoreOptions = {}) {
  const region = options.region ?? 'us-east-1';
  const now = () => (options.now ?? Date.now)() / 1000;
  const scriptFor = options.scriptFor ?? defaultScript;
  const maxInProgress = options.maxInProgress ?? 100;
  const jobs = new Map<string, StoredJob>();
  const models = new Map<string, StoredModel>();
  const arn = (type: string, name: string) => `arn:aws:sagemaker:${region}:${ACCOUNT}:${type}/${name.toLowerCase()}`;
  let seq = 0;

  const mustGetJob = (input: Record<string, unknown>): StoredJob => {
    const name = requireName(input['TransformJobName'], 'transformJobName');
    const found = jobs.get(name);
    // What the service answers for an unknown job (the reference also documents ResourceNotFound).
    if (!found) throw validation(`Could not find requested job with name ${name}`);
    return found;
  };

  function addModel(name: string, extra: Omit<StoredModel, 'ModelName' | 'ModelArn' | 'CreationTime'> = {}): StoredModel {
    const model: StoredModel = { ModelName: name, ModelArn: arn('model', name), CreationTime: now(), ...extra };
    models.set(name, model);
    return model;
  }
  for (const name of BUILT_IN_MODELS) addModel(name, { ExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/batchgate-emulator` });

  function insert(record: Omit<WireJob, 'TransformJobArn' | 'TransformJobStatus' | 'CreationTime'>, script?: JobScript, createdAt = now()): StoredJob {
    const full: WireJob = { ...record, TransformJobArn: arn('transform-job', record.TransformJobName), TransformJobStatus: 'InProgress', CreationTime: createdAt };
    const stored: StoredJob = { record: full, script: script ?? scriptFor(full), lastModified: createdAt, age: 0, seq: seq++ };
    jobs.set(full.TransformJobName, stored);
    return stored;
  }

  function advance(stored: StoredJob): void {
    const { record, script } = stored;
    const at = now();
    if (record.TransformJobStatus === 'Stopping') {
      record.TransformJobStatus = 'Stopped';
      record.TransformEndTime = stored.lastModified = at;
      return;
    }
    if (record.TransformJobStatus !== 'InProgress') return;
    stored.age += 1;
    if (record.TransformStartTime === undefined && stored.age >= script.pendingTicks) {
      record.TransformStartTime = stored.lastModified = at;
    } else if (record.TransformStartTime !== undefined && stored.age >= script.pendingTicks + script.runningTicks) {
      record.TransformJobStatus = script.outcome;
      record.TransformEndTime = stored.lastModified = at;
      if (script.failureReason) record.FailureReason = script.failureReason;
    }
  }

  return {
    jobs,
    models,
    insert,
    addModel,
    tick(): void {
      for (const stored of jobs.values()) advance(stored);
    },

    createModel(input: Record<string, unknown>): { ModelArn: string } {
      const name = requireName(input['ModelName'], 'modelName');
      if (models.has(name)) throw validation(`Cannot create already existing model "${arn('model', name)}".`);
      const container: unknown = input['PrimaryContainer'] ?? (Array.isArray(input['Containers']) ? (input['Containers'] as unknown[])[0] : undefined);
      return {
        ModelArn: addModel(name, {
          ...(typeof input['ExecutionRoleArn'] === 'string' ? { ExecutionRoleArn: input['ExecutionRoleArn'] } : {}),
          ...(container && typeof container === 'object' ? { PrimaryContainer: container as Record<string, unknown> } : {}),
        }).ModelArn,
      };
    },

    describeModel(input: Record<string, unknown>): StoredModel {
      const name = requireName(input['ModelName'], 'modelName');
      const model = models.get(name);
      if (!model) throw validation(`Could not find model "${arn('model', name)}".`);
      return { ...model };
    },

    createTransformJob(input: Record<string, unknown>): { TransformJobArn: string } {
      const name = requireName(input['TransformJobName'], 'transformJobName');
      const modelName = requireName(input['ModelName'], 'modelName');
      const transformInput = object(input['TransformInput'], 'transformInput');
      const s3 = object(object(transformInput['DataSource'], 'transformInput.dataSource')['S3DataSource'], 'transformInput.dataSource.s3DataSource');
      requireS3(s3['S3Uri'], 'transformInput.dataSource.s3DataSource.s3Uri');
      oneOf(s3['S3DataType'], S3_DATA_TYPES, 'transformInput.dataSource.s3DataSource.s3DataType', true);
      oneOf(transformInput['SplitType'], SPLIT_TYPES, 'transformInput.splitType', false);
      const output = object(input['TransformOutput'], 'transformOutput');
      requireS3(output['S3OutputPath'], 'transformOutput.s3OutputPath');
      const resources = object(input['TransformResources'], 'transformResources');
      if (typeof resources['InstanceType'] !== 'string' || !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(resources['InstanceType'])) {
        throw validation(`Value '${String(resources['InstanceType'])}' at 'transformResources.instanceType' failed to satisfy constraint: Member must satisfy enum value set`);
      }
      const count = resources['InstanceCount'];
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw validation(`Value '${String(count)}' at 'transformResources.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`);
      const concurrency = input['MaxConcurrentTransforms'];
      if (concurrency !== undefined && (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 0)) {
        throw validation(`Value '${shown(concurrency)}' at 'maxConcurrentTransforms' failed to satisfy constraint: Member must have value greater than or equal to 0`);
      }
      const environment = input['Environment'];
      if (environment !== undefined && (typeof environment !== 'object' || environment === null || Object.keys(environment).length > 16)) {
        throw validation("Value at 'environment' failed to satisfy constraint: Map value must have length less than or equal to 16");
      }
      if (!models.has(modelName)) throw validation(`Could not find model "${arn('model', modelName)}".`);
      const existing = jobs.get(name);
      if (existing) throw new SageMakerFault(400, 'ResourceInUse', `Job name must be unique within an AWS account and region, and a job with this name already exists (${existing.record.TransformJobArn})`);
      const running = [...jobs.values()].filter((job) => job.record.TransformJobStatus === 'InProgress').length;
      if (running >= maxInProgress) {
        throw new SageMakerFault(400, 'ResourceLimitExceeded', `The account-level service limit 'Number of concurrent transform jobs' is ${maxInProgress} Jobs, with current utilization of ${running} Jobs.`);
      }
      const stored = insert({
        TransformJobName: name,
        ModelName: modelName,
        ...(typeof concurrency === 'number' ? { MaxConcurrentTransforms: concurrency } : {}),
        ...(typeof input['BatchStrategy'] === 'string' ? { BatchStrategy: input['BatchStrategy'] } : {}),
        ...(environment ? { Environment: environment as Record<string, string> } : {}),
        TransformInput: transformInput,
        TransformOutput: output,
        TransformResources: resources,
      });
      return { TransformJobArn: stored.record.TransformJobArn };
    },

    describeTransformJob(input: Record<string, unknown>): WireJob {
      return { ...mustGetJob(input).record };
    },

    /** Stopping a job already stopping is accepted; one that has ended is refused. */
    stopTransformJob(input: Record<string, unknown>): Record<string, never> {
      const stored = mustGetJob(input);
      const status = stored.record.TransformJobStatus;
      if (status === 'InProgress') {
        stored.record.TransformJobStatus = 'Stopping';
        stored.lastModified = now();
      } else if (status !== 'Stopping') {
        throw validation(`The transform job ${stored.record.TransformJobName} cannot be stopped: its status is ${status}.`);
      }
      return {};
    },

    listTransformJobs(input: Record<string, unknown>) {
      return listJobs([...jobs.values()], input);
    },
  };
}

function requireName(value: unknown, member: string): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw validation(`Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
  }
  return value;
}

function object(value: unknown, member: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw validation(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value as Record<string, unknown>;
}

function requireS3(value: unknown, member: string): void {
  if (typeof value !== 'string' || !S3_URI.test(value) || value.length > 1024) {
    throw validation(`Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$`);
  }
}

function oneOf(value: unknown, allowed: string[], member: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw validation(`Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
}
