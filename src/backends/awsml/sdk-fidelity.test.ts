import {
  CreateBatchPredictionCommand,
  CreateDataSourceFromS3Command,
  CreateMLModelCommand,
  DescribeDataSourcesCommand,
  DescribeMLModelsCommand,
  GetDataSourceCommand,
  GetMLModelCommand,
  InvalidInputException,
  DeleteBatchPredictionCommand,
  DescribeBatchPredictionsCommand,
  GetBatchPredictionCommand,
  IdempotentParameterMismatchException,
  MachineLearningClient,
  paginateDescribeBatchPredictions,
  ResourceNotFoundException,
  UpdateBatchPredictionCommand,
} from '@aws-sdk/client-machine-learning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatorSdkClients } from '../emulator-kit/aws/sdk-clients.js';
import { startAwsMlEmulator, type AwsMlEmulatorHandle } from './emulator/index.js';

// The official SDK is the judge of wire fidelity: if it works against the emulator unchanged,
// so would the real service's other clients.
describe('the official AWS SDK against the Amazon ML emulator', () => {
  let emulator: AwsMlEmulatorHandle;
  let sdk: MachineLearningClient;
  const clients = createEmulatorSdkClients(() => emulator, (config) => new MachineLearningClient(config));

  const createModel = async (model: string) => {
    await sdk.send(new CreateMLModelCommand({ MLModelId: model, MLModelName: `model ${model}`, MLModelType: 'BINARY', TrainingDataSourceId: 'ds-1' }));
  };

  beforeAll(async () => {
    // A long tick: the test drives predictions itself with `emulator.tick()`.
    emulator = await startAwsMlEmulator({ tickMs: 60_000, store: { pendingTicks: 1 } });
    sdk = clients.client();
    await sdk.send(
      new CreateDataSourceFromS3Command({
        DataSourceId: 'ds-1',
        DataSourceName: 'training rows',
        DataSpec: { DataLocationS3: 's3://bucket/rows.csv', DataSchema: '{"version":"1.0","attributes":[]}' },
        ComputeStatistics: true,
      }),
    );
    for (const model of ['ml-model-1', 'ml-model-2', 'ml-paged']) await createModel(model);
    for (let i = 0; i < 3; i++) emulator.tick();
  });
  afterAll(async () => {
    clients.destroyAll();
    await emulator?.close();
  });

  const create = (id: string, model = 'ml-model-1') =>
    sdk.send(
      new CreateBatchPredictionCommand({
        BatchPredictionId: id,
        BatchPredictionName: `prediction ${id}`,
        MLModelId: model,
        BatchPredictionDataSourceId: 'ds-1',
        OutputUri: 's3://bucket/out/',
      }),
    );

  it('creates a prediction and gets it back with every documented field typed', async () => {
    await expect(create('sdk-one')).resolves.toMatchObject({ BatchPredictionId: 'sdk-one' });
    const pending = await sdk.send(new GetBatchPredictionCommand({ BatchPredictionId: 'sdk-one' }));
    expect(pending).toMatchObject({ BatchPredictionId: 'sdk-one', Status: 'PENDING', MLModelId: 'ml-model-1', OutputUri: 's3://bucket/out/' });
    expect(pending.CreatedAt).toBeInstanceOf(Date);
    expect(pending.LogUri).toBeUndefined();

    for (let i = 0; i < 4; i++) emulator.tick();
    const done = await sdk.send(new GetBatchPredictionCommand({ BatchPredictionId: 'sdk-one' }));
    expect(done.Status).toBe('COMPLETED');
    expect(done.StartedAt).toBeInstanceOf(Date);
    expect(done.FinishedAt).toBeInstanceOf(Date);
    expect(typeof done.TotalRecordCount).toBe('number');
    expect(done.InvalidRecordCount).toBe(0);
    expect(done.LogUri).toMatch(/X-Amz-Signature=/);

    // The presigned log link works as is, and not once tampered with.
    const log = await fetch(done.LogUri!);
    expect(log.status).toBe(200);
    expect(await log.text()).toContain('sdk-one');
    const tampered = await fetch(done.LogUri!.replace(/X-Amz-Signature=[0-9a-f]/, 'X-Amz-Signature=g'));
    expect(tampered.status).toBe(403);
  });

  it('treats the same create twice as one prediction and other parameters as a mismatch', async () => {
    await create('sdk-twice');
    await expect(create('sdk-twice')).resolves.toMatchObject({ BatchPredictionId: 'sdk-twice' });
    await expect(create('sdk-twice', 'ml-model-2')).rejects.toBeInstanceOf(IdempotentParameterMismatchException);
  });

  it('describes predictions page by page with the SDK paginator', async () => {
    for (let i = 0; i < 23; i++) await create(`sdk-page-${String(i).padStart(2, '0')}`, 'ml-paged');
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeBatchPredictions(
      { client: sdk, pageSize: 5 },
      { FilterVariable: 'MLModelId', EQ: 'ml-paged', SortOrder: 'asc' },
    )) {
      pages += 1;
      expect(page.Results!.length).toBeLessThanOrEqual(5);
      seen.push(...page.Results!.map((record) => record.BatchPredictionId!));
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `sdk-page-${String(i).padStart(2, '0')}`));

    const newest = await sdk.send(new DescribeBatchPredictionsCommand({ FilterVariable: 'MLModelId', EQ: 'ml-paged', SortOrder: 'dsc', Limit: 1 }));
    expect(newest.Results?.[0]?.BatchPredictionId).toBe('sdk-page-22');
    expect(newest.NextToken).toEqual(expect.any(String));
  });

  it('renames and deletes a prediction, which then reads as DELETED', async () => {
    await create('sdk-delete');
    await expect(sdk.send(new UpdateBatchPredictionCommand({ BatchPredictionId: 'sdk-delete', BatchPredictionName: 'renamed' }))).resolves.toMatchObject({
      BatchPredictionId: 'sdk-delete',
    });
    await expect(sdk.send(new DeleteBatchPredictionCommand({ BatchPredictionId: 'sdk-delete' }))).resolves.toMatchObject({ BatchPredictionId: 'sdk-delete' });
    const deleted = await sdk.send(new GetBatchPredictionCommand({ BatchPredictionId: 'sdk-delete' }));
    expect({ Status: deleted.Status, Name: deleted.Name }).toEqual({ Status: 'DELETED', Name: 'renamed' });
  });

  it('creates, gets and describes data sources and models, which end COMPLETED', async () => {
    const source = await sdk.send(new GetDataSourceCommand({ DataSourceId: 'ds-1', Verbose: true }));
    expect(source).toMatchObject({ DataSourceId: 'ds-1', Name: 'training rows', Status: 'COMPLETED', DataLocationS3: 's3://bucket/rows.csv', ComputeStatistics: true });
    expect(source.DataSourceSchema).toContain('attributes');
    expect((await sdk.send(new GetDataSourceCommand({ DataSourceId: 'ds-1' }))).DataSourceSchema).toBeUndefined();
    expect(source.CreatedAt).toBeInstanceOf(Date);
    const model = await sdk.send(new GetMLModelCommand({ MLModelId: 'ml-model-1' }));
    expect(model).toMatchObject({ MLModelId: 'ml-model-1', TrainingDataSourceId: 'ds-1', MLModelType: 'BINARY', Status: 'COMPLETED', InputDataLocationS3: 's3://bucket/rows.csv' });

    const models = await sdk.send(new DescribeMLModelsCommand({ FilterVariable: 'TrainingDataSourceId', EQ: 'ds-1', SortOrder: 'asc', Limit: 2 }));
    expect(models.Results?.map((m) => m.MLModelId)).toEqual(['ml-model-1', 'ml-model-2']);
    const rest = await sdk.send(new DescribeMLModelsCommand({ FilterVariable: 'TrainingDataSourceId', EQ: 'ds-1', SortOrder: 'asc', Limit: 2, NextToken: models.NextToken! }));
    expect(rest.Results?.map((m) => m.MLModelId)).toEqual(['ml-paged']);
    expect(rest.NextToken).toBeUndefined();
    const sources = await sdk.send(new DescribeDataSourcesCommand({ FilterVariable: 'DataLocationS3', Prefix: 's3://bucket/' }));
    expect(sources.Results?.map((d) => d.DataSourceId)).toEqual(['ds-1']);
  });

  it('refuses a prediction, or a model, that names something missing with InvalidInputException', async () => {
    const missing = (model: string, dataSource: string) =>
      sdk.send(new CreateBatchPredictionCommand({ BatchPredictionId: `missing-${model}-${dataSource}`, MLModelId: model, BatchPredictionDataSourceId: dataSource, OutputUri: 's3://bucket/out/' }));
    await expect(missing('ml-nowhere', 'ds-1')).rejects.toBeInstanceOf(InvalidInputException);
    await expect(missing('ml-model-1', 'ds-nowhere')).rejects.toBeInstanceOf(InvalidInputException);
    await expect(sdk.send(new CreateMLModelCommand({ MLModelId: 'ml-orphan', MLModelType: 'REGRESSION', TrainingDataSourceId: 'ds-nowhere' }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
    await expect(sdk.send(new GetMLModelCommand({ MLModelId: 'ml-orphan' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('sorts by the filter variable: a Status filter does not answer in creation order', async () => {
    for (const id of ['sort-c', 'sort-a', 'sort-b']) await create(id);
    const byStatus = await sdk.send(new DescribeBatchPredictionsCommand({ FilterVariable: 'Status', EQ: 'PENDING', SortOrder: 'dsc' }));
    const ids = byStatus.Results!.map((r) => r.BatchPredictionId).filter((id) => id!.startsWith('sort-'));
    expect(ids).toEqual(['sort-c', 'sort-b', 'sort-a']);
    const byCreation = await sdk.send(new DescribeBatchPredictionsCommand({ FilterVariable: 'CreatedAt', SortOrder: 'dsc', Limit: 3 }));
    expect(byCreation.Results!.map((r) => r.BatchPredictionId)).toEqual(['sort-b', 'sort-a', 'sort-c']);
  });

  it('reports an unknown prediction as the SDK ResourceNotFoundException', async () => {
    await expect(sdk.send(new GetBatchPredictionCommand({ BatchPredictionId: 'never-made' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('rejects a client signing with the wrong secret as InvalidSignatureException', async () => {
    const before = emulator.rejections;
    const wrong = clients.client('not-the-secret');
    await expect(wrong.send(new GetBatchPredictionCommand({ BatchPredictionId: 'sdk-one' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(emulator.rejections).toBe(before + 1);
  });

  it('rejects an unknown access key as UnrecognizedClientException', async () => {
    const stranger = clients.client('whatever', 'AKIANOBODY');
    await expect(stranger.send(new GetBatchPredictionCommand({ BatchPredictionId: 'sdk-one' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
