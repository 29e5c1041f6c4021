import { z } from 'zod';
import { orNull } from '../module.js';

/**
 * SageMaker's native shapes for transform jobs (API reference: DescribeTransformJob,
 * ListTransformJobs/TransformJobSummary, CreateTransformJob) and this kind's start input. The
 * schemas are loose: fields we do not read are kept (they end up in the execution's body) and
 * never fail a poll; they insist only on what the mapping cannot do without.
 */

const TRANSFORM_JOB_STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
export type TransformJobStatus = (typeof TRANSFORM_JOB_STATUSES)[number];

/** `TransformJobName`: 1 to 63 characters, letters and digits joined by hyphens. */
const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** `ModelName` has the same rule. */
const MODEL_NAME_PATTERN = JOB_NAME_PATTERN;

const SPLIT_TYPES = ['None', 'Line', 'RecordIO', 'TFRecord'] as const;
const S3_DATA_TYPES = ['S3Prefix', 'ManifestFile', 'AugmentedManifestFile'] as const;

// The SDK hands timestamps over as Dates; a raw JSON body has epoch seconds. Both are accepted.
const timestamp = z.union([z.date(), z.number(), z.string()]).nullish();
const status = z.enum(TRANSFORM_JOB_STATUSES);

const transformInputSchema = z.looseObject({
  DataSource: z.looseObject({ S3DataSource: z.looseObject({ S3DataType: z.string().nullish(), S3Uri: z.string().nullish() }).nullish() }).nullish(),
  ContentType: z.string().nullish(),
  CompressionType: z.string().nullish(),
  SplitType: z.string().nullish(),
});

/** A `DescribeTransformJob` answer. */
export const transformJobSchema = z.looseObject({
  TransformJobName: z.string().min(1),
  TransformJobArn: z.string().nullish(),
  TransformJobStatus: status,
  FailureReason: z.string().nullish(),
  ModelName: z.string().nullish(),
  MaxConcurrentTransforms: z.number().nullish(),
  Environment: z.record(z.string(), z.string()).nullish(),
  TransformInput: transformInputSchema.nullish(),
  TransformOutput: z.looseObject({ S3OutputPath: z.string().nullish(), Accept: z.string().nullish(), AssembleWith: z.string().nullish() }).nullish(),
  TransformResources: z.looseObject({ InstanceType: z.string().nullish(), InstanceCount: z.number().nullish() }).nullish(),
  CreationTime: timestamp,
  TransformStartTime: timestamp,
  TransformEndTime: timestamp,
});
export type TransformJob = z.infer<typeof transformJobSchema>;

/** One `TransformJobSummaries` entry of `ListTransformJobs`: no start time, no model, no S3 locations. */
export const transformJobSummarySchema = z.looseObject({
  TransformJobName: z.string().min(1),
  TransformJobArn: z.string().nullish(),
  TransformJobStatus: status,
  FailureReason: z.string().nullish(),
  CreationTime: timestamp,
  TransformEndTime: timestamp,
  LastModifiedTime: timestamp,
});
export type TransformJobSummary = z.infer<typeof transformJobSummarySchema>;

export const listTransformJobsSchema = z.looseObject({
  TransformJobSummaries: z.array(transformJobSummarySchema).nullish(),
  NextToken: z.string().nullish(),
});

/** The start input of kind `sagemaker`: one batch transform job. */
export interface SageMakerStartInput {
  kind: 'sagemaker';
  /** An existing SageMaker model (`CreateModel`). */
  modelName: string;
  /** `s3://bucket/prefix` of the input objects (or of a manifest, see `s3DataType`). */
  inputS3Uri: string;
  /** `s3://bucket/prefix` the results are written under. */
  outputS3Uri: string;
  /** MIME type of the input, passed to the container. */
  contentType: string | null;
  /** How input files are split into records. @default the service's (None) */
  splitType: (typeof SPLIT_TYPES)[number] | null;
  /** @default 'S3Prefix' */
  s3DataType: (typeof S3_DATA_TYPES)[number] | null;
  /** e.g. `ml.m5.large`. */
  instanceType: string;
  /** @default 1 */
  instanceCount: number;
  maxConcurrentTransforms: number | null;
  /** Environment variables of the container. */
  environment: Record<string, string> | null;
  /** The job's name; made up (from the start's idempotency key when given) when absent. */
  jobName: string | null;
}

const s3Uri = z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, { message: 'expected an s3://bucket/prefix URI' }).max(1024);

/** Validates the GraphQL input of this kind (field names as in `SageMakerStartInput`, optional ones nullish). */
export const sageMakerStartInputSchema = z
  .object({
    modelName: z.string().regex(MODEL_NAME_PATTERN, { message: 'expected a SageMaker model name ([a-zA-Z0-9-], at most 63)' }),
    inputS3Uri: s3Uri,
    outputS3Uri: s3Uri,
    contentType: orNull(z.string().min(1).max(256)),
    splitType: orNull(z.enum(SPLIT_TYPES)),
    s3DataType: orNull(z.enum(S3_DATA_TYPES)),
    instanceType: z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, { message: 'expected an instance type such as ml.m5.large' }),
    instanceCount: z
      .number()
      .int()
      .min(1)
      .max(100)
      .nullish()
      .transform((count) => count ?? 1),
    maxConcurrentTransforms: orNull(z.number().int().min(0).max(1000)),
    environment: orNull(
      z
        .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$/, { message: 'expected an environment variable name' }), z.string().max(10240))
        .refine((env) => Object.keys(env).length <= 16, { message: 'expected at most 16 environment variables' }),
    ),
    jobName: orNull(z.string().regex(JOB_NAME_PATTERN, { message: 'expected a transform job name ([a-zA-Z0-9-], at most 63)' })),
  })
  .transform((value): SageMakerStartInput => ({ kind: 'sagemaker', ...value }));
