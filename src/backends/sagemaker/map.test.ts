import { describe, expect, it } from 'vitest';
import { mapSummary, mapTransformJob, statusForState, toDate } from './map.js';
import { transformJobSchema, transformJobSummarySchema } from './wire.js';

// A DescribeTransformJob answer with the members of the API reference's response syntax, as the SDK
// hands it over (timestamps as Dates, `$metadata` added).
const described = {
  $metadata: { httpStatusCode: 200, requestId: 'a1b2', attempts: 1, totalRetryDelay: 0 },
  TransformJobName: 'churn-scoring-2026-12-01',
  TransformJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:transform-job/churn-scoring-2026-12-01',
  TransformJobStatus: 'Completed',
  ModelName: 'churn-xgboost-v7',
  MaxConcurrentTransforms: 4,
  MaxPayloadInMB: 6,
  BatchStrategy: 'MultiRecord',
  Environment: { SAGEMAKER_PROGRAM: 'inference.py' },
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://acme-ml/churn/input/' } },
    ContentType: 'text/csv',
    CompressionType: 'None',
    SplitType: 'Line',
  },
  TransformOutput: { S3OutputPath: 's3://acme-ml/churn/output/', Accept: 'text/csv', AssembleWith: 'Line' },
  TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2 },
  DataProcessing: { InputFilter: '$[1:]', OutputFilter: '$', JoinSource: 'None' },
  CreationTime: new Date('2026-12-01T02:00:00.123Z'),
  TransformStartTime: new Date('2026-12-01T02:05:30Z'),
  TransformEndTime: new Date('2026-12-01T02:41:10Z'),
};

const map = (record: Record<string, unknown>) => mapTransformJob(transformJobSchema.parse(record), 'sm');

describe('mapping SageMaker transform jobs', () => {
  it('keeps every described member except the SDK metadata in the execution body', () => {
    const batch = map({ ...described, SomeNewMember: { kept: true } });
    const { $metadata: _, ...body } = described;
    expect(batch.executions[0]!.response).toEqual({ statusCode: 200, headers: null, body: { ...body, SomeNewMember: { kept: true } } });
    expect(batch).toMatchObject({
      backendId: 'sm',
      nativeId: 'churn-scoring-2026-12-01',
      name: 'churn-scoring-2026-12-01',
      state: 'SUCCEEDED',
      nativeStatus: 'Completed',
      error: null,
      progress: { percent: 100, message: null },
    });
  });

  it('takes its times from the job', () => {
    const batch = map(described);
    expect([batch.createdAt, batch.startedAt, batch.finishedAt].map((date) => date?.toISOString())).toEqual([
      '2026-12-01T02:00:00.123Z',
      '2026-12-01T02:05:30.000Z',
      '2026-12-01T02:41:10.000Z',
    ]);
    // A raw JSON body carries epoch seconds instead.
    expect(toDate(1764554400.5)?.toISOString()).toBe('2025-12-01T02:00:00.500Z');
    expect(toDate(null)).toBeNull();
  });

  it.each([
    ['InProgress', undefined, 'QUEUED'],
    ['InProgress', new Date('2026-12-01T02:05:30Z'), 'RUNNING'],
    ['Stopping', new Date('2026-12-01T02:05:30Z'), 'CANCELLING'],
    ['Stopped', new Date('2026-12-01T02:05:30Z'), 'CANCELLED'],
    ['Failed', undefined, 'FAILED'],
    ['Completed', new Date('2026-12-01T02:05:30Z'), 'SUCCEEDED'],
  ])('maps %s (started %s) to %s', (status, started, state) => {
    const batch = map({ ...described, TransformJobStatus: status, TransformStartTime: started, TransformEndTime: undefined });
    expect({ state: batch.state, execution: batch.executions[0]!.state, nativeStatus: batch.nativeStatus }).toEqual({ state, execution: state, nativeStatus: status });
  });

  it('rejects a status SageMaker does not document', () => {
    expect(transformJobSchema.safeParse({ ...described, TransformJobStatus: 'Paused' }).success).toBe(false);
  });

  it('reports a failed job with its FailureReason as error, a 500 response and an error step', () => {
    const reason = 'ClientError: See job logs for more information';
    const batch = map({ ...described, TransformJobStatus: 'Failed', FailureReason: reason });
    expect(batch.error).toEqual({ code: null, message: reason });
    expect(batch.progress).toMatchObject({ percent: null, message: reason });
    expect(batch.executions[0]!.response?.statusCode).toBe(500);
    expect(batch.executions[0]!.steps).toMatchObject([{ status: 'ERROR', errorCount: 1, messages: [{ severity: 'ERROR', text: reason }] }]);
  });

  it('shows a stopped job as a warning step and a running one without steps', () => {
    expect(map({ ...described, TransformJobStatus: 'Stopped' }).executions[0]!.steps).toMatchObject([{ status: 'WARNING', warningCount: 1 }]);
    expect(map({ ...described, TransformJobStatus: 'InProgress', TransformEndTime: undefined }).executions[0]!.steps).toEqual([]);
  });

  it('links the S3 input and output locations as artifacts', () => {
    expect(map(described).executions[0]!.artifacts).toEqual([
      { name: 'input', externalUrl: 's3://acme-ml/churn/input/' },
      { name: 'output', externalUrl: 's3://acme-ml/churn/output/' },
    ]);
    expect(map({ ...described, TransformInput: undefined, TransformOutput: undefined }).executions[0]!.artifacts).toEqual([]);
  });

  it('maps a list summary without artifacts, taking its end time and failure reason', () => {
    const summary = transformJobSummarySchema.parse({
      TransformJobName: 'nightly-1',
      TransformJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:transform-job/nightly-1',
      CreationTime: 1764554400,
      TransformEndTime: 1764558000,
      LastModifiedTime: 1764558000,
      TransformJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: out of memory',
    });
    const batch = mapSummary(summary, 'sm');
    expect(batch).toMatchObject({ nativeId: 'nightly-1', state: 'FAILED', startedAt: null, error: { message: 'AlgorithmError: out of memory' } });
    expect(batch.finishedAt?.toISOString()).toBe('2025-12-01T03:00:00.000Z');
    expect(batch.executions[0]!.artifacts).toBeUndefined();
  });

  it('asks SageMaker for InProgress when either QUEUED or RUNNING is wanted', () => {
    expect(['QUEUED', 'RUNNING', 'CANCELLING', 'CANCELLED'].map((state) => statusForState(state as never))).toEqual(['InProgress', 'InProgress', 'Stopping', 'Stopped']);
  });
});
