import {
  CreateBatchPredictionCommand,
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
import { startAwsMlEmulator, type AwsMlEmulatorHandle } from './emulator/index.js';

// The official SDK is the judge of wire fidelity: if it works against the emulator unchanged,
// so would the real service's other clients.
describe('the official AWS SDK against the Amazon ML emulator', () => {
  let emulator: AwsMlEmulatorHandle;
  let sdk: MachineLearningClient;
  const clients: MachineLearningClient[] = [];

  const makeClient = (secretAccessKey: string, accessKeyId = emulator.accessKeyId) => {
    const client = new MachineLearningClient({
      endpoint: emulator.url,
      region: emulator.region,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // A long tick: the test drives predictions itself with `emulator.tick()`.
    emulator = await startAwsMlEmulator({ tickMs: 60_000 });
    sdk = makeClient(String(emulator.connection['secretAccessKey']));
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
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

  it('reports an unknown prediction as the SDK ResourceNotFoundException', async () => {
    await expect(sdk.send(new GetBatchPredictionCommand({ BatchPredictionId: 'never-made' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('rejects a client signing with the wrong secret as InvalidSignatureException', async () => {
    const before = emulator.rejections;
    const wrong = makeClient('not-the-secret');
    await expect(wrong.send(new GetBatchPredictionCommand({ BatchPredictionId: 'sdk-one' }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(emulator.rejections).toBe(before + 1);
  });

  it('rejects an unknown access key as UnrecognizedClientException', async () => {
    const stranger = makeClient('whatever', 'AKIANOBODY');
    await expect(stranger.send(new GetBatchPredictionCommand({ BatchPredictionId: 'sdk-one' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
