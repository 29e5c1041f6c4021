import {
  CreateBatchPredictionCommand,
  DeleteBatchPredictionCommand,
  DescribeBatchPredictionsCommand,
  GetBatchPredictionCommand,
  MachineLearningClient,
  UpdateBatchPredictionCommand,
  type BatchPredictionFilterVariable,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type SortOrder,
} from '@aws-sdk/client-machine-learning';
import { z } from 'zod';
import type { BackendContext } from '../../core/backend.js';
import { ErrorCode, GatewayError } from '../../core/errors.js';
import { translateAwsSdkError, type NotFoundMeans } from '../../lib/aws-errors.js';
import { credentialRefreshPlugin, credentialsFor, sdkClientConfig, upstreamCallPlugin, type AwsCredentialSettings } from '../../lib/aws.js';
import { batchPredictionSchema, type BatchPredictionRecord } from './map.js';

/**
 * The only file of this backend talking to Amazon ML: the official SDK v3 client (AWS JSON 1.1,
 * SigV4, the standard retry mode for every operation), a middleware reporting each HTTP attempt to
 * metrics and debug logs, a middleware refreshing stale credentials once, answers validated against
 * `map.ts`, failures translated once. Protocol notes: docs/backends/awsml.md.
 */

export interface AwsMlClientOptions extends BackendContext {
  backendId: string;
  endpoint: string;
  region: string;
  credentials: AwsCredentialSettings;
  /** Attempts per call, first included, in the SDK's standard retry mode. @default 3 */
  maxAttempts?: number | undefined;
}

interface DescribeInput {
  FilterVariable?: BatchPredictionFilterVariable;
  EQ?: string;
  SortOrder?: SortOrder;
  NextToken?: string;
  Limit?: number;
}

interface CreateInput {
  BatchPredictionId: string;
  BatchPredictionName?: string;
  MLModelId: string;
  BatchPredictionDataSourceId: string;
  OutputUri: string;
}

const idResponseSchema = z.looseObject({ BatchPredictionId: z.string().min(1) });
const describeResponseSchema = z.looseObject({
  Results: z.array(batchPredictionSchema).nullish(),
  NextToken: z.string().nullish(),
});

export interface AwsMlClient {
  createBatchPrediction(input: CreateInput): Promise<string>;
  getBatchPrediction(id: string, signal?: AbortSignal): Promise<BatchPredictionRecord>;
  describeBatchPredictions(input: DescribeInput): Promise<{ results: BatchPredictionRecord[]; nextToken: string | null }>;
  updateBatchPrediction(id: string, name: string): Promise<string>;
  deleteBatchPrediction(id: string): Promise<string>;
  dispose(): void;
}

/** An Amazon ML client for the batch-prediction operations; errors come out as `GatewayError`s. */
export function createAwsMlClient(options: AwsMlClientOptions): AwsMlClient {
  const backend = options.backendId;
  const credentials = credentialsFor(options.credentials);
  const sdk = sdkClientConfig({
    region: options.region,
    endpoint: options.endpoint,
    credentials,
    timeoutMs: options.timeoutMs,
    maxAttempts: options.maxAttempts,
  });
  const client = new MachineLearningClient(sdk.config);
  // This client is built on an older @smithy/types than lib/aws.ts; the stacks are the same at run time.
  type ClientPlugin = Parameters<typeof client.middlewareStack.use>[0];
  client.middlewareStack.use(upstreamCallPlugin<ServiceInputTypes, ServiceOutputTypes>(backend, options.onUpstreamCall) as unknown as ClientPlugin);
  // Explicit keys cannot be refreshed; a provider's can (the SDK keeps its memoized provider here).
  if (typeof credentials === 'function') {
    client.middlewareStack.use(credentialRefreshPlugin<ServiceInputTypes, ServiceOutputTypes>(() => client.config.credentials) as unknown as ClientPlugin);
  }

  async function call<T>(run: () => Promise<object>, schema: z.ZodType<T>, notFound: NotFoundMeans): Promise<T> {
    let output: object;
    try {
      output = await run();
    } catch (error) {
      throw translateAwsSdkError(error, backend, notFound, 'batch prediction');
    }
    const parsed = schema.safeParse(toWire(output));
    if (!parsed.success) {
      throw new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered with a malformed body`, { backend, cause: parsed.error });
    }
    return parsed.data;
  }

  return {
    async createBatchPrediction(input) {
      return (await call(() => client.send(new CreateBatchPredictionCommand(input), sdk.sendOptions()), idResponseSchema, 'input')).BatchPredictionId;
    },
    getBatchPrediction: (id, signal) =>
      call(() => client.send(new GetBatchPredictionCommand({ BatchPredictionId: id }), sdk.sendOptions(signal)), batchPredictionSchema, 'batch'),
    async describeBatchPredictions(input) {
      const page = await call(() => client.send(new DescribeBatchPredictionsCommand(input), sdk.sendOptions()), describeResponseSchema, 'batch');
      return { results: page.Results ?? [], nextToken: page.NextToken || null };
    },
    async updateBatchPrediction(id, name) {
      const command = new UpdateBatchPredictionCommand({ BatchPredictionId: id, BatchPredictionName: name });
      return (await call(() => client.send(command, sdk.sendOptions()), idResponseSchema, 'batch')).BatchPredictionId;
    },
    async deleteBatchPrediction(id) {
      return (await call(() => client.send(new DeleteBatchPredictionCommand({ BatchPredictionId: id }), sdk.sendOptions()), idResponseSchema, 'batch')).BatchPredictionId;
    },
    dispose() {
      client.destroy();
      sdk.dispose();
    },
  };
}

/**
 * The SDK's output back in wire shape: timestamps as the epoch seconds the service sent, no
 * `$metadata`. The record is what `Batch.executions[0].response.body` shows, so it stays the
 * service's own.
 */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([key, field]) => key !== '$metadata' && field !== undefined);
    return Object.fromEntries(entries.map(([key, field]) => [key, toWire(field)]));
  }
  return value;
}
