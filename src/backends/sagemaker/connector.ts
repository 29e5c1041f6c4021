import { createHash, randomUUID } from 'node:crypto';
import type { BackendContext, BatchBackend, BatchPage, ListQuery, StartOptions } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError } from '../../core/errors.js';
import { isTerminal, type Artifact, type Batch, type BatchState } from '../../core/model.js';
import { resolveAwsRegion } from '../../lib/aws.js';
import { decodeUpstreamPageCursor, encodeUpstreamPageCursor } from '../../lib/cursor.js';
import { publicUrl } from '../../lib/http-client.js';
import { createSageMakerApi, type ListInput, type SageMakerApi } from './client.js';
import { displayEndpoint, SAGEMAKER_KIND, type SageMakerConfig } from './config.js';
import { mapArtifacts, mapSummary, mapTransformJob, statusForState } from './map.js';
import { type SageMakerStartInput, type TransformJob, type TransformJobStatus, type TransformJobSummary } from './wire.js';

export interface SageMakerConnectorOptions {
  /** Attempts per call in the SDK's standard retry mode. @default 3 */
  maxAttempts?: number;
  /** Most upstream pages one `list` call reads while filtering several states here. @default 20 */
  maxPagesPerList?: number;
  /** In-progress jobs of one list page described at once (to tell QUEUED from RUNNING). @default 4 */
  describeConcurrency?: number;
}

/** The `BatchBackend` for one `sagemaker` config entry. */
export function createSageMakerConnector(config: Omit<SageMakerConfig, 'kind'>, context: BackendContext, options: SageMakerConnectorOptions = {}): BatchBackend<SageMakerStartInput> {
  const backend = config.id;
  const region = resolveAwsRegion(config);
  if (!region) throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backend}" has no region`, { backend });
  const api: SageMakerApi = createSageMakerApi({
    backendId: backend,
    region,
    endpoint: config.endpoint,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    sessionToken: config.sessionToken,
    profile: config.profile,
    timeoutMs: context.timeoutMs,
    onUpstreamCall: context.onUpstreamCall,
    maxAttempts: options.maxAttempts,
  });
  const maxPages = options.maxPagesPerList ?? 20;
  const concurrency = options.describeConcurrency ?? 4;
  const prefix = config.nameContains ?? 'bg';
  const map = (job: TransformJob) => mapTransformJob(job, backend);
  const get = async (name: string, signal?: AbortSignal) => map(await api.describeTransformJob(name, signal));

  /** Summaries → batches; in-progress ones are described, since only a description has the start time. */
  async function fromSummaries(summaries: TransformJobSummary[]): Promise<Batch[]> {
    const batches = summaries.map((summary) => mapSummary(summary, backend));
    const pending = summaries.map((summary, i) => ({ summary, i })).filter(({ summary }) => summary.TransformJobStatus === 'InProgress');
    const worker = async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        try {
          batches[next.i] = await get(next.summary.TransformJobName);
        } catch {
          // Throttled or gone meanwhile: the summary's own reading stands.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
    return batches;
  }

  return {
    id: backend,
    kind: SAGEMAKER_KIND,
    url: publicUrl(displayEndpoint(config, region)),
    capabilities: { list: true, cancel: true, forgetsCancelled: false },

    get: (nativeId, getOptions) => get(nativeId, getOptions?.signal),

    async list(query: ListQuery): Promise<BatchPage> {
      const limit = Math.min(100, Math.max(1, Math.floor(query.limit)));
      const cursor = query.cursor ? decodeUpstreamPageCursor(query.cursor, backend) : { t: null, o: 0, l: limit };
      const wantedStates = query.states ? new Set<BatchState>(query.states) : null;
      const statuses = wantedStates ? new Set<TransformJobStatus>([...wantedStates].map(statusForState)) : null;
      if (statuses && statuses.size === 0) return { items: [], nextCursor: null };
      // One status filters upstream; several are filtered here while paging. Newest first either way.
      const filter: ListInput = {
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        ...(statuses?.size === 1 ? { StatusEquals: [...statuses][0]! } : {}),
        ...(config.nameContains ? { NameContains: config.nameContains } : {}),
      };

      const items: Batch[] = [];
      let token = cursor.t;
      let offset = cursor.o;
      for (let pages = 0; ; pages++) {
        const page = await api.listTransformJobs({ ...filter, MaxResults: cursor.l, ...(token ? { NextToken: token } : {}) });
        const rest = page.summaries.slice(offset).filter((summary) => !statuses || statuses.has(summary.TransformJobStatus));
        const batches = await fromSummaries(rest);
        for (let i = 0; i < batches.length; i++) {
          const batch = batches[i]!;
          if (wantedStates && !wantedStates.has(batch.state)) continue;
          if (items.length === limit) {
            // Resume at this summary's position in the upstream page.
            return { items, nextCursor: encodeUpstreamPageCursor({ t: token, o: page.summaries.indexOf(rest[i]!), l: cursor.l }) };
          }
          items.push(batch);
        }
        if (!page.nextToken) return { items, nextCursor: null };
        token = page.nextToken;
        offset = 0;
        if (items.length === limit || pages + 1 >= maxPages) return { items, nextCursor: encodeUpstreamPageCursor({ t: token, o: 0, l: cursor.l }) };
      }
    },

    async start(input: SageMakerStartInput, startOptions?: StartOptions): Promise<Batch> {
      const name = jobNameFor(input.jobName, startOptions?.idempotencyKey, prefix);
      try {
        await api.createTransformJob(createRequest(name, input));
      } catch (error) {
        // The name exists: a repeated start (or an SDK retry whose first attempt got through).
        if (!isResourceInUse(error)) throw error;
        const existing = await api.describeTransformJob(name);
        if (!sameJob(existing, input)) {
          throw new GatewayError(ErrorCode.BAD_USER_INPUT, `A transform job named "${name}" already exists on backend "${backend}" with other parameters`, {
            backend,
            upstream: (error as GatewayError).extensions['upstream'] as Record<string, unknown>,
            cause: error,
          });
        }
        return map(existing);
      }
      return get(name);
    },

    async cancel(nativeId: string): Promise<Batch> {
      try {
        await api.stopTransformJob(nativeId);
      } catch (error) {
        // SageMaker refuses to stop a job that has ended: answer it as it stands.
        if (!isGatewayError(error) || error.code !== ErrorCode.BAD_USER_INPUT) throw error;
        const current = await get(nativeId);
        if (isTerminal(current.state) || current.state === 'CANCELLING') return current;
        throw error;
      }
      return get(nativeId);
    },

    async artifacts(nativeId: string, index: number): Promise<Artifact[]> {
      if (index !== 0) throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Transform jobs have one execution (index 0), not ${index}`, { backend });
      return mapArtifacts(await api.describeTransformJob(nativeId));
    },

    async openArtifact(): Promise<never> {
      throw new GatewayError(ErrorCode.UNSUPPORTED, `Backend "${backend}" links its S3 locations directly; there is nothing to stream`, { backend });
    },

    async probe(): Promise<void> {
      await api.listTransformJobs({ MaxResults: 1 });
    },

    async dispose(): Promise<void> {
      api.dispose();
    },
  };
}

/**
 * The job's name: the caller's, else one derived from the idempotency key (the same key always
 * names the same job), else a fresh one. Derived names start with the backend's prefix.
 */
function jobNameFor(jobName: string | null, idempotencyKey: string | undefined, prefix: string): string {
  if (jobName) return jobName;
  if (idempotencyKey) return `${prefix}-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
  return `${prefix}-${randomUUID()}`;
}

function createRequest(name: string, input: SageMakerStartInput) {
  return {
    TransformJobName: name,
    ModelName: input.modelName,
    ...(input.maxConcurrentTransforms !== null ? { MaxConcurrentTransforms: input.maxConcurrentTransforms } : {}),
    ...(input.environment ? { Environment: input.environment } : {}),
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: input.s3DataType ?? 'S3Prefix', S3Uri: input.inputS3Uri } },
      ...(input.contentType ? { ContentType: input.contentType } : {}),
      ...(input.splitType ? { SplitType: input.splitType } : {}),
    },
    TransformOutput: { S3OutputPath: input.outputS3Uri },
    TransformResources: { InstanceType: input.instanceType as never, InstanceCount: input.instanceCount },
  };
}

function isResourceInUse(error: unknown): boolean {
  return isGatewayError(error) && (error.extensions['upstream'] as { code?: unknown } | undefined)?.code === 'ResourceInUse';
}

/** Whether an existing job is the one this input would create (what a user would call "the same job"). */
function sameJob(job: TransformJob, input: SageMakerStartInput): boolean {
  return (
    job.ModelName === input.modelName &&
    job.TransformInput?.DataSource?.S3DataSource?.S3Uri === input.inputS3Uri &&
    job.TransformOutput?.S3OutputPath === input.outputS3Uri &&
    job.TransformResources?.InstanceType === input.instanceType
  );
}
