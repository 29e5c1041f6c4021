import {
  CreateModelCommand,
  CreateTransformJobCommand,
  DescribeModelCommand,
  DescribeTransformJobCommand,
  ListTransformJobsCommand,
  paginateListTransformJobs,
  ResourceInUse,
  ResourceLimitExceeded,
  ResourceNotFound,
  SageMakerClient,
  StopTransformJobCommand,
  type CreateTransformJobCommandInput,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatorSdkClients } from '../emulator-kit/aws/sdk-clients.js';
import { startSageMakerEmulator, type SageMakerEmulatorHandle } from './emulator/index.js';

// The official SDK is the judge of wire fidelity: if it works against the emulator unchanged, so
// would the service's other clients.
describe('the official AWS SDK against the SageMaker emulator', () => {
  let emulator: SageMakerEmulatorHandle;
  let sdk: SageMakerClient;
  const clients = createEmulatorSdkClients(() => emulator, (config) => new SageMakerClient(config));
  const jobInput = (name: string, model = 'batchgate-sample-model'): CreateTransformJobCommandInput => ({
    TransformJobName: name,
    ModelName: model,
    MaxConcurrentTransforms: 2,
    Environment: { MODEL_SERVER_WORKERS: '2' },
    TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://bucket/${name}/in/` } }, ContentType: 'text/csv', SplitType: 'Line' },
    TransformOutput: { S3OutputPath: `s3://bucket/${name}/out/` },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
  });
  const create = (name: string, model?: string) => sdk.send(new CreateTransformJobCommand(jobInput(name, model)));
  const describeJob = (name: string) => sdk.send(new DescribeTransformJobCommand({ TransformJobName: name }));

  beforeAll(async () => {
    // A long tick: the test drives jobs itself with `emulator.tick()`.
    emulator = await startSageMakerEmulator({ tickMs: 60_000, store: { maxInProgress: 40 } });
    sdk = clients.client();
  });
  afterAll(async () => {
    clients.destroyAll();
    await emulator?.close();
  });

  it('creates a job and describes it through its life, with the request shape kept', async () => {
    const created = await create('sdk-one');
    expect(created.TransformJobArn).toBe(`arn:aws:sagemaker:${emulator.region}:000000000000:transform-job/sdk-one`);
    expect(emulator.calls.at(-1)).toEqual({ operation: 'CreateTransformJob', input: expect.objectContaining({ TransformJobName: 'sdk-one', Environment: { MODEL_SERVER_WORKERS: '2' } }) });

    const queued = await describeJob('sdk-one');
    expect(queued).toMatchObject({ TransformJobStatus: 'InProgress', ModelName: 'batchgate-sample-model', TransformOutput: { S3OutputPath: 's3://bucket/sdk-one/out/' } });
    expect(queued.CreationTime).toBeInstanceOf(Date);
    expect(queued.TransformStartTime).toBeUndefined();

    emulator.tick();
    expect((await describeJob('sdk-one')).TransformStartTime).toBeInstanceOf(Date);
    for (let i = 0; i < 3; i++) emulator.tick();
    const done = await describeJob('sdk-one');
    expect(done.TransformJobStatus).toBe('Completed');
    expect(done.TransformEndTime!.getTime()).toBeGreaterThanOrEqual(done.TransformStartTime!.getTime());
  });

  it('fails a job of a model named to fail, with a FailureReason', async () => {
    await create('sdk-failing', 'forecast-deepar-fail');
    for (let i = 0; i < 4; i++) emulator.tick();
    await expect(describeJob('sdk-failing')).resolves.toMatchObject({ TransformJobStatus: 'Failed', FailureReason: expect.stringContaining('ClientError') });
  });

  it('creates and describes a model, and refuses a job naming a model that does not exist', async () => {
    await sdk.send(new CreateModelCommand({ ModelName: 'sdk-model', ExecutionRoleArn: 'arn:aws:iam::000000000000:role/r', PrimaryContainer: { Image: 'img' } }));
    await expect(sdk.send(new DescribeModelCommand({ ModelName: 'sdk-model' }))).resolves.toMatchObject({ ModelName: 'sdk-model', CreationTime: expect.any(Date) });
    await expect(create('sdk-no-model', 'no-such-model')).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('Could not find model') });
  });

  it('refuses a second job of the same name as ResourceInUse', async () => {
    await create('sdk-twice');
    await expect(create('sdk-twice')).rejects.toBeInstanceOf(ResourceInUse);
  });

  it('refuses invalid input as ValidationException', async () => {
    await expect(sdk.send(new CreateTransformJobCommand({ ...jobInput('bad_name!') }))).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    await expect(sdk.send(new ListTransformJobsCommand({ MaxResults: 101 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('stops a running job: Stopping, then Stopped; a finished one cannot be stopped', async () => {
    await create('sdk-stop');
    await sdk.send(new StopTransformJobCommand({ TransformJobName: 'sdk-stop' }));
    expect((await describeJob('sdk-stop')).TransformJobStatus).toBe('Stopping');
    emulator.tick();
    expect((await describeJob('sdk-stop')).TransformJobStatus).toBe('Stopped');
    await expect(sdk.send(new StopTransformJobCommand({ TransformJobName: 'sdk-stop' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('answers an unknown job with the ValidationException the service uses', async () => {
    await expect(describeJob('never-made')).rejects.toMatchObject({ name: 'ValidationException', message: 'Could not find requested job with name never-made' });
  });

  it('lists with StatusEquals and NameContains, newest first by creation time, page by page', async () => {
    for (let i = 0; i < 12; i++) await create(`paged-${String(i).padStart(2, '0')}`);
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListTransformJobs(
      { client: sdk, pageSize: 5 },
      { NameContains: 'PAGED', StatusEquals: 'InProgress', SortBy: 'CreationTime', SortOrder: 'Descending' },
    )) {
      pages += 1;
      names.push(...page.TransformJobSummaries!.map((summary) => summary.TransformJobName!));
    }
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `paged-${String(11 - i).padStart(2, '0')}`));

    const completed = await sdk.send(new ListTransformJobsCommand({ StatusEquals: 'Completed', MaxResults: 100 }));
    expect(completed.TransformJobSummaries!.map((s) => s.TransformJobName)).toEqual(['sdk-one']);
    expect(completed.TransformJobSummaries![0]).toMatchObject({ CreationTime: expect.any(Date), LastModifiedTime: expect.any(Date), TransformEndTime: expect.any(Date) });
    const byName = await sdk.send(new ListTransformJobsCommand({ NameContains: 'paged', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2 }));
    expect(byName.TransformJobSummaries!.map((s) => s.TransformJobName)).toEqual(['paged-00', 'paged-01']);
    await expect(sdk.send(new ListTransformJobsCommand({ NextToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('refuses a job beyond the concurrent-job limit as ResourceLimitExceeded', async () => {
    const running = [...emulator.store.jobs.values()].filter((job) => job.record.TransformJobStatus === 'InProgress').length;
    for (let i = running; i < 40; i++) await create(`limit-${i}`);
    await expect(create('limit-over')).rejects.toBeInstanceOf(ResourceLimitExceeded);
  });

  it('passes scripted service errors through as the SDK exception types', async () => {
    emulator.failNext({ type: 'ResourceNotFound', status: 400, operation: 'StopTransformJob' });
    await expect(sdk.send(new StopTransformJobCommand({ TransformJobName: 'sdk-one' }))).rejects.toBeInstanceOf(ResourceNotFound);
    emulator.failNext({ type: 'ThrottlingException', status: 400, message: 'Rate exceeded' });
    await expect(describeJob('sdk-one')).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
  });

  it('rejects a wrong secret as InvalidSignatureException and an unknown key as UnrecognizedClientException', async () => {
    const before = emulator.rejections;
    await expect(clients.client('not-the-secret').send(new DescribeTransformJobCommand({ TransformJobName: 'sdk-one' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(clients.client('x', 'AKIANOBODY').send(new DescribeTransformJobCommand({ TransformJobName: 'sdk-one' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    expect(emulator.rejections).toBe(before + 2);
  });
});
