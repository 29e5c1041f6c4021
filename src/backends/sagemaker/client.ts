import {
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  ListTransformJobsCommand,
  SageMakerClient,
  StopTransformJobCommand,
  type CreateTransformJobCommandInput,
  type ListTransformJobsCommandInput,
} from '@aws-sdk/client-sagemaker';
import type { z } from 'zod';
import type { BackendContext } from '../../core/backend.js';
import { ErrorCode, GatewayError } from '../../core/errors.js';
import { translateAwsSdkError, type NotFoundMeans } from '../../lib/aws-errors.js';
import { credentialsFor, sdkClientConfig, upstreamCallPlugin, type AwsCredentialSettings } from '../../lib/aws.js';
import { listTransformJobsSchema, transformJobSchema, type TransformJob, type TransformJobSummary } from './wire.js';

/**
 * The only file of this backend talking to SageMaker: the official SDK client (AWS JSON 1.1,
 * SigV4, standard retries), answers validated against `wire.ts`, failures translated once.
 */

export interface SageMakerClientOptions extends BackendContext, AwsCredentialSettings {
  backendId: string;
  region: string;
  endpoint?: string | undefined;
  /** Attempts per call in the SDK's standard retry mode. @default 3 */
  maxAttempts?: number | undefined;
}

export type ListInput = Pick<ListTransformJobsCommandInput, 'StatusEquals' | 'NameContains' | 'SortBy' | 'SortOrder' | 'MaxResults' | 'NextToken'>;

export interface SageMakerApi {
  /** Answers the new job's ARN. */
  createTransformJob(input: CreateTransformJobCommandInput): Promise<string>;
  describeTransformJob(name: string, signal?: AbortSignal): Promise<TransformJob>;
  listTransformJobs(input: ListInput): Promise<{ summaries: TransformJobSummary[]; nextToken: string | null }>;
  stopTransformJob(name: string): Promise<void>;
  dispose(): void;
}

export function createSageMakerApi(options: SageMakerClientOptions): SageMakerApi {
  const backend = options.backendId;
  const sdk = sdkClientConfig({
    region: options.region,
    endpoint: options.endpoint,
    credentials: credentialsFor(options),
    timeoutMs: options.timeoutMs,
    maxAttempts: options.maxAttempts,
  });
  const client = new SageMakerClient(sdk.config);
  client.middlewareStack.use(upstreamCallPlugin(backend, options.onUpstreamCall));

  async function call<T>(run: () => Promise<unknown>, schema: z.ZodType<T> | null, notFound: NotFoundMeans): Promise<T> {
    let output: unknown;
    try {
      output = await run();
    } catch (error) {
      throw translateAwsSdkError(error, backend, notFound);
    }
    if (!schema) return output as T;
    const parsed = schema.safeParse(output);
    if (!parsed.success) {
      throw new GatewayError(ErrorCode.BACKEND_ERROR, `Backend "${backend}" answered with a malformed body`, { backend, cause: parsed.error });
    }
    return parsed.data;
  }

  return {
    async createTransformJob(input) {
      const output = await call<{ TransformJobArn?: string }>(() => client.send(new CreateTransformJobCommand(input), sdk.sendOptions()), null, 'input');
      return output.TransformJobArn ?? '';
    },
    describeTransformJob: (name, signal) =>
      call(() => client.send(new DescribeTransformJobCommand({ TransformJobName: name }), sdk.sendOptions(signal)), transformJobSchema, 'batch'),
    async listTransformJobs(input) {
      const page = await call(() => client.send(new ListTransformJobsCommand(input), sdk.sendOptions()), listTransformJobsSchema, 'batch');
      return { summaries: page.TransformJobSummaries ?? [], nextToken: page.NextToken || null };
    },
    async stopTransformJob(name) {
      await call(() => client.send(new StopTransformJobCommand({ TransformJobName: name }), sdk.sendOptions()), null, 'batch');
    },
    dispose() {
      client.destroy();
      sdk.dispose();
    },
  };
}
