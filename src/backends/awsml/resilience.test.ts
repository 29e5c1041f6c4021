import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectCode } from '../../../test/backend-suite.js';
import { ErrorCode } from '../../core/errors.js';
import { awsMlConfigSchema, type AwsMlConfig } from './config.js';
import { createAwsMlConnector, predictionIdFor, type AwsMlBackend } from './connector.js';
import { startAwsMlEmulator, type AwsMlEmulatorHandle } from './emulator/index.js';
import { isOperation, testStartInput } from './test-fixture.js';

/** What a real account does to a long-running gateway: throttling, rotated credentials, retried starts. */

const BACKEND = 'aws-resilience';

const emulators: AwsMlEmulatorHandle[] = [];
const connectors: AwsMlBackend[] = [];
async function startEmulator(options: Parameters<typeof startAwsMlEmulator>[0] = {}) {
  const emulator = await startAwsMlEmulator({ tickMs: 60_000, store: { pendingTicks: 1, ...options.store }, ...options });
  emulators.push(emulator);
  return emulator;
}
function connect(emulator: AwsMlEmulatorHandle, overrides: Partial<AwsMlConfig> = {}, id = BACKEND) {
  const connector = createAwsMlConnector(awsMlConfigSchema.parse({ id, kind: 'awsml', ...emulator.connection, ...overrides }), { timeoutMs: 2000 });
  connectors.push(connector);
  return connector;
}
afterAll(async () => {
  for (const connector of connectors) await connector.dispose();
  for (const emulator of emulators) await emulator.close();
});

describe('Amazon ML throttling', () => {
  let emulator: AwsMlEmulatorHandle;
  let backend: AwsMlBackend;
  beforeAll(async () => {
    emulator = await startEmulator();
    backend = connect(emulator);
  });

  // One throttling name per operation: each is retried by the SDK's standard mode, Delete included.
  const cases: Array<[string, string, (id: string) => Promise<unknown>]> = [
    ['CreateBatchPrediction', 'Throttling', (id) => backend.start(testStartInput({ batchPredictionId: id }))],
    ['GetBatchPrediction', 'ThrottlingException', (id) => backend.get(id)],
    ['DescribeBatchPredictions', 'RequestLimitExceeded', () => backend.list({ limit: 5 })],
    ['UpdateBatchPrediction', 'TooManyRequestsException', (id) => backend.rename(id, 'renamed')],
    ['DeleteBatchPrediction', 'LimitExceededException', (id) => backend.cancel(id)],
  ];
  it.each(cases)('repeats a throttled %s (%s) once and answers', async (operation, type, run) => {
    const id = `throttled-${operation}`;
    if (operation !== 'CreateBatchPrediction') await backend.start(testStartInput({ batchPredictionId: id }));
    emulator.http.clearRequests();
    emulator.failNext({ type, status: 400, operation });
    await expect(run(id)).resolves.toBeDefined();
    expect(emulator.http.count(isOperation(operation))).toBe(2);
  });

  it('reports every attempt, the throttled one included, to the upstream-call hook behind /metrics', async () => {
    const reported: Array<{ method: string; path: string; statusCode: number | null; outcome: string }> = [];
    const watched = createAwsMlConnector(awsMlConfigSchema.parse({ id: BACKEND, kind: 'awsml', ...emulator.connection }), {
      timeoutMs: 2000,
      onUpstreamCall: ({ method, path, statusCode, outcome }) => reported.push({ method, path, statusCode, outcome }),
    });
    connectors.push(watched);
    await watched.start(testStartInput({ batchPredictionId: 'reported' }));
    reported.length = 0;
    emulator.failNext({ type: 'ThrottlingException', status: 400, operation: 'GetBatchPrediction' });
    await watched.get('reported');
    expect(reported).toEqual([
      { method: 'POST', path: '/', statusCode: 400, outcome: 'error' },
      { method: 'POST', path: '/', statusCode: 200, outcome: 'ok' },
    ]);
  });

  it('repeats a 503 and gives up after three attempts with BACKEND_UNAVAILABLE', async () => {
    emulator.http.clearRequests();
    emulator.failNext({ type: 'ServiceUnavailableException', status: 503, operation: 'GetBatchPrediction', count: 5 });
    await expectCode(backend.get('anything'), ErrorCode.BACKEND_UNAVAILABLE, BACKEND);
    expect(emulator.http.count(isOperation('GetBatchPrediction'))).toBe(3);
  });
});

describe('Amazon ML credentials from a credential_process whose keys rotate', () => {
  let dir: string;
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A profile whose credential_process issues a new key each run (generation N: AKIAROTATE…N). */
  function rotatingProfile(expiresInMs: number) {
    dir = mkdtempSync(join(tmpdir(), 'batchgate-aws-'));
    const script = join(dir, 'credentials.mjs');
    const counter = join(dir, 'generation');
    writeFileSync(counter, '0');
    writeFileSync(
      script,
      `import { readFileSync, writeFileSync } from 'node:fs';
const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
writeFileSync(${JSON.stringify(counter)}, String(n));
console.log(JSON.stringify({ Version: 1, AccessKeyId: 'AKIAROTATE' + String(n).padStart(10, '0'), SecretAccessKey: 'secret-' + n, SessionToken: 'token-' + n,
  Expiration: new Date(Date.now() + ${expiresInMs}).toISOString() }));\n`,
    );
    writeFileSync(join(dir, 'config'), `[profile rotating]\ncredential_process = ${process.execPath} ${script}\n`);
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    return { generation: () => Number(readFileSync(counter, 'utf8')) };
  }
  const key = (n: number) => [`AKIAROTATE${String(n).padStart(10, '0')}`, { secretAccessKey: `secret-${n}`, sessionToken: `token-${n}` }] as const;

  it('refreshes and repeats a call once when the service says the token expired, with no restart', async () => {
    const profile = rotatingProfile(3600_000);
    const emulator = await startEmulator({ keys: Object.fromEntries([key(1)]) });
    const backend = connect(emulator, { accessKeyId: undefined, secretAccessKey: undefined, profile: 'rotating' });
    await expect(backend.probe()).resolves.toBeUndefined();
    expect(profile.generation()).toBe(1);

    // The account rotates: only generation 2 is accepted now, generation 1 has expired.
    emulator.expireKey(key(1)[0]);
    emulator.addKey(...key(2));
    emulator.http.clearRequests();
    await expect(backend.start(testStartInput({ batchPredictionId: 'after-rotation' }))).resolves.toMatchObject({ nativeId: 'after-rotation' });
    expect(profile.generation()).toBe(2);
    // The refused attempt, its repetition with fresh keys, then the Get of the started prediction.
    expect(emulator.http.count(isOperation('CreateBatchPrediction'))).toBe(2);
    expect(emulator.http.requests.at(-1)?.headers['x-amz-security-token']).toBe('token-2');

    // A key that stays refused after the refresh is the caller's problem: said once, not looped.
    emulator.expireKey(key(2)[0]);
    emulator.http.clearRequests();
    await expectCode(backend.get('after-rotation'), ErrorCode.BACKEND_UNAUTHORIZED, BACKEND);
    expect(emulator.http.count()).toBe(2);
  });

  it('answers BACKEND_UNAUTHORIZED without calling Amazon ML when the chain finds no credentials', async () => {
    rotatingProfile(3600_000);
    // No instance role to fall back on here; the chain must not wait for one.
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const emulator = await startEmulator();
    const backend = connect(emulator, { accessKeyId: undefined, secretAccessKey: undefined, profile: 'no-such-profile' });
    await expectCode(backend.probe(), ErrorCode.BACKEND_UNAUTHORIZED, BACKEND);
    expect(emulator.http.count()).toBe(0);
  });

  it('fetches new credentials before the old ones expire', async () => {
    // Credentials valid for two minutes are inside the SDK's five-minute refresh window.
    const profile = rotatingProfile(120_000);
    const emulator = await startEmulator({ keys: Object.fromEntries([1, 2, 3, 4, 5].map(key)) });
    const backend = connect(emulator, { accessKeyId: undefined, secretAccessKey: undefined, profile: 'rotating' });
    await backend.probe();
    await backend.probe();
    await expect.poll(() => profile.generation()).toBeGreaterThanOrEqual(2);
    expect(emulator.rejections).toBe(0);
  });
});

describe('Amazon ML starts with an idempotency key', () => {
  it('derive the prediction id from the key and the backend, so a repeated start is one prediction', async () => {
    const emulator = await startEmulator();
    const backend = connect(emulator);
    const first = await backend.start(testStartInput({ name: 'nightly' }), { idempotencyKey: 'nightly-2026-12-05' });
    const again = await backend.start(testStartInput({ name: 'nightly' }), { idempotencyKey: 'nightly-2026-12-05' });
    expect(again.nativeId).toBe(first.nativeId);
    expect(first.nativeId).toBe(predictionIdFor(BACKEND, 'nightly-2026-12-05'));
    expect(first.nativeId).toMatch(/^bg-[0-9a-f]{40}$/);
    expect(emulator.http.count(isOperation('CreateBatchPrediction'))).toBe(2);
    expect([...emulator.store.predictions.keys()].filter((id) => id === first.nativeId)).toHaveLength(1);
    const elsewhere = await connect(emulator, {}, 'aws-other').start(testStartInput(), { idempotencyKey: 'nightly-2026-12-05' });
    expect(elsewhere.nativeId).not.toBe(first.nativeId);
  });

  it('make one prediction when a start whose answers were lost is started again with its key', async () => {
    const emulator = await startEmulator();
    const backend = connect(emulator);
    // Every attempt of the first start creates upstream, then its answer is lost (a 500 after commit).
    emulator.failNext({ type: 'InternalServerException', status: 500, operation: 'CreateBatchPrediction', count: 3, afterRunning: true });
    await expectCode(backend.start(testStartInput(), { idempotencyKey: 'lost-answer' }), ErrorCode.BACKEND_UNAVAILABLE, BACKEND);
    expect(emulator.http.count(isOperation('CreateBatchPrediction'))).toBe(3);
    // The client retries with its key, as the contract tells it to; the gateway has no record of a start.
    const retried = await backend.start(testStartInput(), { idempotencyKey: 'lost-answer' });
    expect(retried.nativeId).toBe(predictionIdFor(BACKEND, 'lost-answer'));
    expect(emulator.store.predictions.size).toBe(1);
  });

  it('take "already exists" for the earlier start of the same prediction, and refuse other parameters', async () => {
    // A service that refuses a second create with the same id even with equal parameters.
    const emulator = await startEmulator({ store: { pendingTicks: 1, duplicateCreate: 'reject' } });
    const backend = connect(emulator);
    const first = await backend.start(testStartInput(), { idempotencyKey: 'retry-me' });
    await expect(backend.start(testStartInput(), { idempotencyKey: 'retry-me' })).resolves.toMatchObject({ nativeId: first.nativeId, state: 'QUEUED' });
    const other = await expectCode(backend.start(testStartInput({ outputUri: 's3://elsewhere/' }), { idempotencyKey: 'retry-me' }), ErrorCode.BAD_USER_INPUT, BACKEND);
    expect(other.extensions['upstream']).toMatchObject({ code: 'InvalidInputException' });
  });
});

describe('Amazon ML listing under the service ordering rules', () => {
  it('lists one state newest first although Describe sorts by the filter variable', async () => {
    const emulator = await startEmulator();
    const backend = connect(emulator);
    // Ids in an order unlike creation: a Status filter sorted by id would answer z, m, a.
    for (const id of ['z-oldest', 'a-middle', 'm-newest']) await backend.start(testStartInput({ batchPredictionId: id }));
    const page = await backend.list({ states: ['QUEUED'], limit: 10 });
    expect(page.items.map((batch) => batch.nativeId)).toEqual(['m-newest', 'a-middle', 'z-oldest']);
  });
});
