import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectCode, waitFor } from '../../../test/backend-suite.js';
import { ErrorCode } from '../../core/errors.js';
import type { BatchState } from '../../core/model.js';
import { awsMlConfigSchema, type AwsMlConfig } from './config.js';
import { createAwsMlConnector, type AwsMlBackend } from './connector.js';
import { startAwsMlEmulator, type AwsMlEmulatorHandle } from './emulator/index.js';
import { awsMlModule } from './index.js';
import { isOperation, testStartInput } from './test-fixture.js';

const BACKEND = 'aws-test';

describe('the Amazon ML connector', () => {
  let emulator: AwsMlEmulatorHandle;
  const connectors: AwsMlBackend[] = [];

  const connect = (overrides: Partial<AwsMlConfig> = {}) => {
    const config = awsMlConfigSchema.parse({ id: BACKEND, kind: 'awsml', ...emulator.connection, ...overrides });
    const connector = createAwsMlConnector(config, { timeoutMs: 2000 }, {});
    connectors.push(connector);
    return connector;
  };

  beforeAll(async () => {
    emulator = await startAwsMlEmulator({
      tickMs: 60_000,
      store: { pendingTicks: 1 },
      models: Object.fromEntries(['ml-model', 'ml-ok', 'ml-fail', 'ml-partial', 'ml-other'].map((model) => [model, 'ds-1'])),
      keys: { AKIATEMPORARY: { secretAccessKey: 'temporary-secret', sessionToken: 'session-1' } },
    });
  });
  beforeEach(() => emulator.http.clearRequests());
  afterAll(async () => {
    for (const connector of connectors) await connector.dispose();
    await emulator?.close();
  });

  it('signs every request so that the emulator rejects none of them', async () => {
    const backend = connect();
    const before = emulator.rejections;
    await backend.probe();
    const started = await backend.start(testStartInput({ name: 'signed' }));
    await backend.get(started.nativeId);
    await backend.list({ limit: 5 });
    await backend.rename(started.nativeId, 'renamed');
    await backend.cancel(started.nativeId);
    expect(emulator.rejections).toBe(before);
    expect(emulator.http.count()).toBe(9);
    expect(emulator.http.requests.every((request) => String(request.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential='))).toBe(true);
  });

  it('pages newest first through 250 predictions, 100 per upstream call', async () => {
    const backend = connect();
    const base = Date.now() / 1000 - 10_000;
    for (let i = 0; i < 250; i++) {
      const id = `page-${String(i).padStart(3, '0')}`;
      emulator.store.insert(
        { BatchPredictionId: id, BatchPredictionName: null, MLModelId: 'ml-paging', BatchPredictionDataSourceId: 'ds', OutputUri: 's3://b/' },
        { pendingTicks: 1, runningTicks: 1, outcome: 'COMPLETED', totalRecords: 1, invalidRecords: 0, message: null },
        base + i,
      );
    }
    emulator.http.clearRequests();
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await backend.list({ limit: 100, cursor });
      pages += 1;
      ids.push(...page.items.map((batch) => batch.nativeId).filter((id) => id.startsWith('page-')));
      cursor = page.nextCursor;
    } while (cursor);
    // Everything else in the store is newer, so the paging predictions come after it, newest first.
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => `page-${String(249 - i).padStart(3, '0')}`));
    expect(pages).toBe(Math.ceil(emulator.store.predictions.size / 100));
    expect(emulator.http.count(isOperation('DescribeBatchPredictions'))).toBe(pages);
  });

  it('filters states while paging by creation time, without losing or repeating any', async () => {
    const backend = connect();
    const ids = ['st-a', 'st-b', 'st-c', 'st-d', 'st-e', 'st-f'];
    for (const id of ids) await backend.start(testStartInput({ batchPredictionId: id, mlModelId: id === 'st-c' || id === 'st-f' ? 'ml-fail' : 'ml-ok' }));
    await backend.cancel('st-e');
    for (let i = 0; i < 5; i++) emulator.tick();

    const collect = async (states: readonly BatchState[], limit: number) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await backend.list({ states, limit, cursor });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((batch) => batch.nativeId).filter((id) => id.startsWith('st-')));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const firstCall = emulator.calls.length;
    expect(await collect(['FAILED'], 1)).toEqual(['st-f', 'st-c']);
    // Never FilterVariable Status: Amazon ML would sort by it, not by creation time.
    expect(emulator.calls[firstCall]).toEqual({ operation: 'DescribeBatchPredictions', input: { FilterVariable: 'CreatedAt', SortOrder: 'dsc', Limit: 100 } });
    const secondCall = emulator.calls.length;
    expect(await collect(['FAILED', 'CANCELLED'], 1)).toEqual(['st-f', 'st-e', 'st-c']);
    expect(emulator.calls[secondCall]?.input).toEqual({ FilterVariable: 'CreatedAt', SortOrder: 'dsc', Limit: 100 });
    expect(await collect(['SUCCEEDED', 'CANCELLED'], 2)).toEqual(['st-e', 'st-d', 'st-b', 'st-a']);
    emulator.http.clearRequests();
    expect(await backend.list({ states: ['CANCELLING'], limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(emulator.http.count()).toBe(0);
  });

  it('creates one prediction for the same id twice and refuses the id with other parameters', async () => {
    const backend = connect();
    const first = await backend.start(testStartInput({ batchPredictionId: 'idem-1', name: 'once' }));
    const second = await backend.start(testStartInput({ batchPredictionId: 'idem-1', name: 'once' }));
    expect(second.nativeId).toBe(first.nativeId);
    expect([...emulator.store.predictions.keys()].filter((id) => id === 'idem-1')).toHaveLength(1);
    const mismatch = await expectCode(backend.start(testStartInput({ batchPredictionId: 'idem-1', mlModelId: 'ml-other' })), ErrorCode.BAD_USER_INPUT, BACKEND);
    expect(mismatch.extensions['upstream']).toMatchObject({ code: 'IdempotentParameterMismatchException' });
  });

  it('makes up a unique bg- id when the caller gives none', async () => {
    const backend = connect();
    const a = await backend.start(testStartInput());
    const b = await backend.start(testStartInput());
    expect(a.nativeId).toMatch(/^bg-[0-9a-f-]{36}$/);
    expect(b.nativeId).not.toBe(a.nativeId);
    expect(a).toMatchObject({ backendId: BACKEND, state: 'QUEUED', nativeStatus: 'PENDING' });
  });

  it('renames a prediction', async () => {
    const backend = connect();
    const started = await backend.start(testStartInput({ name: 'before' }));
    await expect(backend.rename(started.nativeId, 'after')).resolves.toMatchObject({ nativeId: started.nativeId, name: 'after' });
  });

  it('cancels by deleting, and the prediction stays visible as CANCELLED', async () => {
    const backend = connect();
    const started = await backend.start(testStartInput());
    const cancelled = await backend.cancel(started.nativeId);
    expect({ state: cancelled.state, nativeStatus: cancelled.nativeStatus }).toEqual({ state: 'CANCELLED', nativeStatus: 'DELETED' });
    emulator.tick();
    await expect(backend.get(started.nativeId)).resolves.toMatchObject({ state: 'CANCELLED' });
  });

  it('lists the presigned log of a finished prediction as an artifact and streams nothing itself', async () => {
    const backend = connect();
    const started = await backend.start(testStartInput({ mlModelId: 'ml-partial' }));
    expect(await backend.artifacts(started.nativeId, 0)).toEqual([]);
    for (let i = 0; i < 5; i++) emulator.tick();
    const done = await waitFor(() => backend.get(started.nativeId), (batch) => batch.state === 'SUCCEEDED');
    expect(done.executions[0]!.steps[0]?.status).toBe('WARNING');
    const artifacts = await backend.artifacts(started.nativeId, 0);
    expect(artifacts).toEqual([{ name: 'log', externalUrl: expect.stringContaining(`/logs/${started.nativeId}.log?`) }]);
    expect(done.executions[0]!.artifacts).toEqual([{ name: 'log', externalUrl: expect.stringContaining('X-Amz-Signature=') }]);
    await expectCode(backend.openArtifact(started.nativeId, 0, 'log'), ErrorCode.UNSUPPORTED, BACKEND);
  });

  describe('translating Amazon ML errors', () => {
    const cases: Array<[string, number, ErrorCode]> = [
      ['ResourceNotFoundException', 400, ErrorCode.BATCH_NOT_FOUND],
      ['InvalidInputException', 400, ErrorCode.BAD_USER_INPUT],
      ['IdempotentParameterMismatchException', 400, ErrorCode.BAD_USER_INPUT],
      ['UnrecognizedClientException', 403, ErrorCode.BACKEND_UNAUTHORIZED],
      ['InvalidSignatureException', 403, ErrorCode.BACKEND_UNAUTHORIZED],
      ['SignatureDoesNotMatch', 403, ErrorCode.BACKEND_UNAUTHORIZED],
      ['ExpiredTokenException', 400, ErrorCode.BACKEND_UNAUTHORIZED],
      ['AccessDeniedException', 403, ErrorCode.BACKEND_UNAUTHORIZED],
      ['SomethingNewException', 400, ErrorCode.BACKEND_ERROR],
    ];
    for (const [type, status, code] of cases) {
      it(`answers ${code} for ${type} after exactly one request`, async () => {
        const backend = connect();
        emulator.failNext({ type, status, message: `emulated ${type}` });
        const error = await expectCode(backend.get('anything'), code, BACKEND);
        expect(emulator.http.count()).toBe(1);
        if (code === ErrorCode.BACKEND_ERROR) expect(error.extensions['upstream']).toMatchObject({ code: type, message: `emulated ${type}` });
      });
    }

    it('retries a throttled read with backoff, then answers BACKEND_UNAVAILABLE', async () => {
      const backend = connect();
      emulator.failNext({ type: 'ThrottlingException', status: 400, count: 3 });
      await expectCode(backend.get('anything'), ErrorCode.BACKEND_UNAVAILABLE, BACKEND);
      expect(emulator.http.count()).toBe(3);
    });

    it('succeeds when a read is throttled once and then answered', async () => {
      const backend = connect();
      const started = await backend.start(testStartInput());
      emulator.http.clearRequests();
      emulator.failNext({ type: 'InternalServerException', status: 500, code: 500, operation: 'GetBatchPrediction' });
      await expect(backend.get(started.nativeId)).resolves.toMatchObject({ nativeId: started.nativeId });
      expect(emulator.http.count(isOperation('GetBatchPrediction'))).toBe(2);
    });

    it('repeats a delete that met a server fault, and the prediction ends deleted', async () => {
      const backend = connect();
      const started = await backend.start(testStartInput());
      emulator.http.clearRequests();
      emulator.failNext({ type: 'InternalServerException', status: 500, operation: 'DeleteBatchPrediction' });
      await expect(backend.cancel(started.nativeId)).resolves.toMatchObject({ state: 'CANCELLED', nativeStatus: 'DELETED' });
      expect(emulator.http.count(isOperation('DeleteBatchPrediction'))).toBe(2);
    });

    it('answers BAD_USER_INPUT for a native id Amazon ML cannot accept', async () => {
      await expectCode(connect().get('not a valid id!'), ErrorCode.BAD_USER_INPUT, BACKEND);
    });
  });

  describe('credentials', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('answers BACKEND_UNAUTHORIZED from its probe when the secret is wrong', async () => {
      const before = emulator.rejections;
      await expectCode(connect({ secretAccessKey: 'wrong' }).probe(), ErrorCode.BACKEND_UNAUTHORIZED, BACKEND);
      expect(emulator.rejections).toBe(before + 1);
    });

    it('signs with a session token when one is configured', async () => {
      await expect(connect({ accessKeyId: 'AKIATEMPORARY', secretAccessKey: 'temporary-secret', sessionToken: 'session-1' }).probe()).resolves.toBeUndefined();
      await expectCode(
        connect({ accessKeyId: 'AKIATEMPORARY', secretAccessKey: 'temporary-secret', sessionToken: 'session-2' }).probe(),
        ErrorCode.BACKEND_UNAUTHORIZED,
        BACKEND,
      );
    });

    it('takes keys and region from the AWS environment variables when the config names none', async () => {
      vi.stubEnv('AWS_ACCESS_KEY_ID', emulator.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', String(emulator.connection['secretAccessKey']));
      vi.stubEnv('AWS_SESSION_TOKEN', '');
      vi.stubEnv('AWS_REGION', emulator.region);
      const config = awsMlConfigSchema.parse({ id: BACKEND, kind: 'awsml', endpoint: emulator.url });
      const backend = createAwsMlConnector(config, { timeoutMs: 2000 });
      connectors.push(backend);
      await expect(backend.probe()).resolves.toBeUndefined();
    });

    it('refuses a config with no region anywhere, and keys given with a profile, naming the fields', () => {
      for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) vi.stubEnv(name, '');
      const result = awsMlConfigSchema.safeParse({ id: 'aws', kind: 'awsml' });
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['region']);
      const both = awsMlConfigSchema.safeParse({ id: 'aws', kind: 'awsml', region: 'eu-west-1', profile: 'ml', accessKeyId: 'a', secretAccessKey: 'b' });
      expect(both.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['profile']);
      // No keys at all is fine: the default provider chain finds them when the connector runs.
      expect(awsMlConfigSchema.safeParse({ id: 'aws', kind: 'awsml', region: 'eu-west-1' }).success).toBe(true);
    });

    it('describes its endpoint without credentials and keeps secrets listed', () => {
      const backend = connect();
      expect(backend.url).toBe(emulator.url);
      expect(awsMlModule.secretFields).toEqual(['secretAccessKey', 'sessionToken']);
      expect(awsMlConfigSchema.parse({ id: 'aws', kind: 'awsml', region: 'eu-west-1', accessKeyId: 'a', secretAccessKey: 'b' })).not.toHaveProperty('endpoint');
    });
  });
});
