import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/backend-suite.js';
import { startAwsMlEmulator, type AwsMlEmulatorHandle } from './index.js';

const running: AwsMlEmulatorHandle[] = [];
const start = async (options: Parameters<typeof startAwsMlEmulator>[0]) => {
  const emulator = await startAwsMlEmulator(options);
  running.push(emulator);
  return emulator;
};
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
});

/** Posts one signed AWS JSON 1.1 call, letting a test pick the signing details. */
async function call(emulator: AwsMlEmulatorHandle, operation: string, input: object, tweak: { secret?: string; region?: string; date?: Date; unsigned?: boolean } = {}) {
  const url = new URL(emulator.url);
  const body = JSON.stringify(input);
  let request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonML_20141212.${operation}` },
    body,
  });
  if (!tweak.unsigned) {
    const signer = new SignatureV4({
      service: 'machinelearning',
      region: tweak.region ?? emulator.region,
      credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: tweak.secret ?? String(emulator.connection['secretAccessKey']) },
      sha256: Sha256,
    });
    request = (await signer.sign(request, tweak.date ? { signingDate: tweak.date } : {})) as HttpRequest;
  }
  const { host: _host, ...headers } = request.headers;
  const response = await fetch(emulator.url, { method: 'POST', headers, body });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> };
}

describe('the Amazon ML emulator', () => {
  it('answers a correctly signed call', async () => {
    const emulator = await start({ tickMs: 60_000 });
    await expect(call(emulator, 'DescribeBatchPredictions', { Limit: 1 })).resolves.toMatchObject({ status: 200, body: { Results: [] } });
  });

  it.each([
    ['no signature', { unsigned: true }, 'MissingAuthenticationTokenException'],
    ['a wrong secret', { secret: 'nope' }, 'InvalidSignatureException'],
    ['another region', { region: 'eu-west-1' }, 'InvalidSignatureException'],
    ['a signature an hour old', { date: new Date(Date.now() - 3600_000) }, 'InvalidSignatureException'],
  ])('refuses a call with %s with 403, naming the error in body and header', async (_what, tweak, type) => {
    const emulator = await start({ tickMs: 60_000 });
    const answer = await call(emulator, 'DescribeBatchPredictions', {}, tweak);
    expect({ status: answer.status, type: answer.body['__type'], header: answer.errorType?.split(':')[0] }).toEqual({ status: 403, type, header: type });
    expect(emulator.rejections).toBe(1);
  });

  it('refuses credentials as UnrecognizedClientException under the unauthorized fault', async () => {
    const emulator = await start({ tickMs: 60_000 });
    await emulator.http.setFaults([{ fault: { kind: 'unauthorized' } }]);
    const answer = await call(emulator, 'DescribeBatchPredictions', {});
    expect({ status: answer.status, type: answer.body['__type'], header: answer.errorType?.split(':')[0] }).toEqual({
      status: 403,
      type: 'UnrecognizedClientException',
      header: 'UnrecognizedClientException',
    });
  });

  it('answers an unknown operation and a bad limit the way the service does', async () => {
    const emulator = await start({ tickMs: 60_000 });
    await expect(call(emulator, 'PauseBatchPrediction', {})).resolves.toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    await expect(call(emulator, 'DescribeBatchPredictions', { Limit: 101 })).resolves.toMatchObject({ status: 400, body: { __type: 'InvalidInputException' } });
  });

  it('seeds demo predictions that include a completed one, a partial one and one that fails', async () => {
    const emulator = await start({ demo: true, tickMs: 60_000 });
    const statuses = () => Object.fromEntries([...emulator.store.predictions.values()].map((p) => [p.record.BatchPredictionId, p.record.Status]));
    expect(statuses()).toMatchObject({ 'demo-nightly-scoring': 'COMPLETED', 'demo-churn-q3': 'PENDING', 'demo-bad-schema': 'PENDING' });
    for (let i = 0; i < 63; i++) emulator.tick();
    expect(statuses()).toMatchObject({ 'demo-bad-schema': 'FAILED', 'demo-churn-q3': 'INPROGRESS', 'demo-backlog': 'PENDING' });
    for (let i = 0; i < 100; i++) emulator.tick();
    expect(emulator.store.predictions.get('demo-fraud-sweep')?.record).toMatchObject({ Status: 'COMPLETED', InvalidRecordCount: 1312 });
  });

  it('seeds the models and data sources its demo predictions name', async () => {
    const emulator = await start({ demo: true, tickMs: 60_000 });
    await expect(call(emulator, 'GetMLModel', { MLModelId: 'ml-churn-v7' })).resolves.toMatchObject({ status: 200, body: { Status: 'COMPLETED' } });
    await expect(call(emulator, 'GetDataSource', { DataSourceId: 'ds-demo-churn-q3' })).resolves.toMatchObject({ status: 200, body: { Status: 'COMPLETED' } });
    await expect(call(emulator, 'GetMLModel', { MLModelId: 'ml-nowhere' })).resolves.toMatchObject({ status: 400, body: { __type: 'ResourceNotFoundException' } });
  });

  it('keeps a prediction PENDING for its configured ticks and until the model it names is trained', async () => {
    const emulator = await start({ tickMs: 60_000, store: { pendingTicks: 2 } });
    const status = async (id: string) => (await call(emulator, 'GetBatchPrediction', { BatchPredictionId: id })).body['Status'];
    const create = (id: string, model: string) =>
      call(emulator, 'CreateBatchPrediction', { BatchPredictionId: id, MLModelId: model, BatchPredictionDataSourceId: 'ds-sample', OutputUri: 's3://b/o/' });
    await call(emulator, 'CreateMLModel', { MLModelId: 'ml-training', MLModelType: 'REGRESSION', TrainingDataSourceId: 'ds-sample' });
    await expect(create('on-trained', 'ml-sample-model')).resolves.toMatchObject({ status: 200 });
    await expect(create('on-training', 'ml-training')).resolves.toMatchObject({ status: 200 });
    emulator.tick();
    expect([await status('on-trained'), await status('on-training')]).toEqual(['PENDING', 'PENDING']);
    emulator.tick();
    expect([await status('on-trained'), await status('on-training')]).toEqual(['INPROGRESS', 'PENDING']);
    // The model completes on its third tick, which is the prediction's first of its own two.
    emulator.tick();
    expect(await status('on-training')).toBe('PENDING');
    emulator.tick();
    expect(await status('on-training')).toBe('INPROGRESS');
  });

  it('keeps new demo predictions coming on its own ticks', async () => {
    const emulator = await start({ demo: true, tickMs: 2 });
    await waitFor(async () => emulator.store.predictions.has('demo-auto-0001'), Boolean);
  });
});
