import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, GatewayError } from '../src/core/errors.js';
import { encodeBatchId } from '../src/core/ids.js';
import type { Batch } from '../src/core/model.js';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import { createMemoryBackend } from './utils/memory-backend.js';
import { startTestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';

const BATCH_FIELDS = `id nativeId name state nativeStatus backend { id kind }
  progress { percent completedItems totalItems failedItems message }
  steps { name label status infoCount warningCount errorCount messages { severity status statusText text } }
  executions(first: 10) { totalCount edges { cursor node { index state response { statusCode body } artifacts { name url } } } pageInfo { hasNextPage endCursor } }`;

describe('the gateway over GraphQL (in-memory backends)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  /** A store folder the test owns, for a store made before the gateway or kept across a restart. */
  function storeFolder(): string {
    const folder = mkdtempSync(join(tmpdir(), 'batchgate-test-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    return folder;
  }

  async function start(backends = [createMemoryBackend('alpha'), createMemoryBackend('beta', { kind: 'awsml' })], overrides = {}) {
    const gateway = await startTestGateway(overrides, { backends });
    cleanups.push(() => gateway.close());
    return { gateway, backends };
  }

  it('lists every configured backend with its kind, url and health', async () => {
    const { gateway } = await start();
    const { body } = await postGraphQL(gateway.url, '{ backends { id kind url healthy capabilities { list cancel } } }');
    expect(body).toEqual({
      data: {
        backends: [
          { id: 'alpha', kind: 'SLV', url: 'memory://alpha', healthy: true, capabilities: { list: true, cancel: true } },
          { id: 'beta', kind: 'AWS_ML', url: 'memory://beta', healthy: true, capabilities: { list: true, cancel: true } },
        ],
      },
    });
  });

  it('resolves a batch by global id, by node and by native id to the same object', async () => {
    const { gateway, backends } = await start();
    backends[0]!.put('42', 'RUNNING');
    const id = encodeBatchId('alpha', '42');
    const { body } = await postGraphQL(
      gateway.url,
      `query($id: ID!) { batch(id: $id) { ${BATCH_FIELDS} } node(id: $id) { id ... on Batch { nativeId } } byNative: batchByNativeId(backend: "alpha", nativeId: "42") { id } }`,
      { id },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.batch).toMatchObject({
      id,
      nativeId: '42',
      state: 'RUNNING',
      backend: { id: 'alpha', kind: 'SLV' },
      steps: [{ name: 'check', status: 'OK', messages: [{ severity: 'INFO', text: 'fine' }] }],
      executions: { totalCount: 1, edges: [{ node: { index: 0, response: { statusCode: 200, body: { ok: true } }, artifacts: [{ name: 'out.csv' }] } }] },
    });
    expect(body.data.batch.executions.edges[0].node.artifacts[0].url).toBe(`${gateway.url.replace('/graphql', '')}/artifacts/${id}/0/out.csv`);
    expect(body.data.node).toEqual({ id, nativeId: '42' });
    expect(body.data.byNative).toEqual({ id });
    // One upstream read for three fields naming the same batch (per-request DataLoader).
    expect(backends[0]!.calls.filter(([name]) => name === 'get')).toEqual([['get', '42']]);
  });

  it('answers BATCH_NOT_FOUND, BACKEND_NOT_FOUND and BAD_USER_INPUT with the backend named', async () => {
    const { gateway } = await start();
    const { body } = await postGraphQL(
      gateway.url,
      `query($missing: ID!) { a: batch(id: $missing) { id } b: batchByNativeId(backend: "nope", nativeId: "1") { id } c: batch(id: "not-an-id") { id } }`,
      { missing: encodeBatchId('alpha', 'missing') },
    );
    expect(body.data).toEqual({ a: null, b: null, c: null });
    const byPath = Object.fromEntries(body.errors!.map((error) => [String(error.path?.[0]), error.extensions]));
    expect(byPath['a']).toMatchObject({ code: ErrorCode.BATCH_NOT_FOUND, backend: 'alpha' });
    expect(byPath['b']).toMatchObject({ code: ErrorCode.BACKEND_NOT_FOUND, backend: 'nope' });
    expect(byPath['c']).toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
  });

  it('returns the other backends’ batches with an error naming the backend that failed', async () => {
    const { gateway, backends } = await start();
    backends[0]!.put('1', 'RUNNING');
    backends[1]!.put('b1', 'SUCCEEDED');
    backends[0]!.failWith = new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, 'down', { backend: 'alpha' });
    const { status, body } = await postGraphQL(gateway.url, '{ batches(first: 10) { edges { node { nativeId backend { id } } } } }');
    expect(status).toBe(200);
    expect(body.data.batches.edges.map((edge: any) => edge.node)).toEqual([{ nativeId: 'b1', backend: { id: 'beta' } }]);
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: ErrorCode.BACKEND_UNAVAILABLE, backend: 'alpha' }) })]);
  });

  it('pages through batches of all backends with stable cursors and no repeats', async () => {
    const { gateway, backends } = await start();
    for (let i = 0; i < 5; i++) backends[0]!.put(`a${i}`, 'RUNNING');
    for (let i = 0; i < 4; i++) backends[1]!.put(`b${i}`, i % 2 ? 'FAILED' : 'SUCCEEDED');
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { body }: { body: any } = await postGraphQL(gateway.url, 'query($after: String) { batches(first: 3, after: $after) { edges { node { nativeId } } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...body.data.batches.edges.map((edge: any) => edge.node.nativeId));
      if (!body.data.batches.pageInfo.hasNextPage) break;
      after = body.data.batches.pageInfo.endCursor;
    }
    expect(seen).toEqual(['a4', 'a3', 'a2', 'a1', 'a0', 'b3', 'b2', 'b1', 'b0']);
    const filtered = await postGraphQL(gateway.url, '{ batches(backend: "beta", states: [FAILED]) { edges { node { nativeId state } } } }');
    expect(filtered.body.data.batches.edges.map((edge: any) => edge.node.nativeId)).toEqual(['b3', 'b1']);
  });

  it('refuses a start whose input does not match the backend kind, naming the field', async () => {
    const { gateway, backends } = await start();
    const { body } = await postGraphQL(gateway.url, 'mutation { startBatch(input: { backend: "alpha", awsMl: { mlModelId: "m", dataSourceId: "d", outputUri: "s3://b/o" } }) { batch { id } } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, backend: 'alpha', field: 'input.slv' });
    const two = await postGraphQL(gateway.url, 'mutation { startBatch(input: { backend: "alpha", slv: { importDevicesCsv: { csv: "x" }, commissionController: { controllerStrId: "c", flags: 1 } } }) { batch { id } } }');
    expect(two.body.errors?.[0]?.extensions?.['code']).toBe(ErrorCode.BAD_USER_INPUT);
    expect(backends[0]!.calls.filter(([name]) => name === 'start')).toEqual([]);
  });

  it('starts one batch for two concurrent starts with the same idempotency key', async () => {
    const { gateway, backends } = await start();
    const mutation = 'mutation($key: String) { startBatch(input: { backend: "alpha", idempotencyKey: $key, slv: { commissionController: { controllerStrId: "c1", flags: 5 } } }) { batch { id nativeId } } }';
    const [first, second] = await Promise.all([postGraphQL(gateway.url, mutation, { key: 'k-1' }), postGraphQL(gateway.url, mutation, { key: 'k-1' })]);
    expect(first.body.data.startBatch.batch).toEqual(second.body.data.startBatch.batch);
    const third = await postGraphQL(gateway.url, mutation, { key: 'k-1' });
    expect(third.body.data.startBatch.batch).toEqual(first.body.data.startBatch.batch);
    expect(backends[0]!.calls.filter(([name]) => name === 'start')).toHaveLength(1);
    const other = await postGraphQL(gateway.url, mutation.replace('"c1"', '"c2"'), { key: 'k-1' });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: 'idempotencyKey' });
  });

  it('lists the batches it started on a backend that cannot list, newest first, after a restart', async () => {
    const backend = createMemoryBackend('lamps', { capabilities: { list: false } });
    const folder = storeFolder();
    const mutation = 'mutation { startBatch(input: { backend: "lamps", slv: { commissionController: { controllerStrId: "c", flags: 1 } } }) { batch { nativeId } } }';
    const first = await startTestGateway({ store: { path: folder } }, { backends: [backend] });
    await postGraphQL(first.url, mutation);
    await postGraphQL(first.url, mutation);
    await first.close();

    const second = await startTestGateway({ store: { path: folder } }, { backends: [backend], store: createSqliteStore(folder) });
    cleanups.push(() => second.close());
    const { body } = await postGraphQL(second.url, '{ batches(backend: "lamps") { edges { node { nativeId } } } }');
    expect(body.data.batches.edges.map((edge: any) => edge.node.nativeId)).toEqual(['n2', 'n1']);
  });

  it('writes a listed batch back to the store only when it changed', async () => {
    const backend = createMemoryBackend('lamps', { capabilities: { list: false } });
    const folder = storeFolder();
    const store = createSqliteStore(folder);
    const written: string[] = [];
    const counting = { ...store, updateSnapshot: async (batch: Batch) => (written.push(batch.state), store.updateSnapshot(batch)) };
    const gateway = await startTestGateway({ upstream: { cacheTtlMs: 0 }, store: { path: folder } }, { backends: [backend], store: counting });
    cleanups.push(() => gateway.close());
    await postGraphQL(gateway.url, 'mutation { startBatch(input: { backend: "lamps", slv: { commissionController: { controllerStrId: "c", flags: 1 } } }) { batch { nativeId } } }');
    const list = async () => (await postGraphQL(gateway.url, '{ batches(backend: "lamps") { edges { node { state } } } }')).body.data.batches.edges[0].node.state;
    for (let i = 0; i < 3; i += 1) expect(await list()).toBe('QUEUED');
    expect(written).toEqual([]);
    backend.put('n1', 'SUCCEEDED');
    for (let i = 0; i < 3; i += 1) expect(await list()).toBe('SUCCEEDED');
    expect(written).toEqual(['SUCCEEDED']);
  });

  it('answers UNSUPPORTED when the backend cannot cancel or rename', async () => {
    const { gateway, backends } = await start([createMemoryBackend('ro', { capabilities: { cancel: false } })]);
    backends[0]!.put('1', 'RUNNING');
    const id = encodeBatchId('ro', '1');
    const { body } = await postGraphQL(gateway.url, `mutation { c: cancelBatch(id: "${id}") { batch { id } } }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.UNSUPPORTED, backend: 'ro' });
    const rename = await postGraphQL(gateway.url, `mutation { renameBatch(id: "${id}", name: "x") { batch { id } } }`);
    expect(rename.body.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.UNSUPPORTED, backend: 'ro' });
  });

  it('streams an artifact through the gateway with its content type and length', async () => {
    const { gateway, backends } = await start();
    backends[0]!.put('7', 'SUCCEEDED');
    const base = gateway.url.replace('/graphql', '');
    const response = await fetch(`${base}/artifacts/${encodeBatchId('alpha', '7')}/0/out.csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(response.headers.get('content-length')).toBe('8');
    expect(await response.text()).toBe('a,b\n1,2\n');
    const missing = await fetch(`${base}/artifacts/garbage/0/out.csv`);
    expect(missing.status).toBe(400);
    expect(((await missing.json())).errors[0].extensions.code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    const { gateway, backends } = await start();
    const base = gateway.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    backends[1]!.failWith = new GatewayError(ErrorCode.BACKEND_UNAUTHORIZED, 'no', { backend: 'beta' });
    await gateway.gateway.service.probeAll();
    const withFailure = await fetch(`${base}/readyz`);
    expect(withFailure.status).toBe(200);
    expect(await withFailure.json()).toEqual({ status: 'ready', failed: [{ backend: 'beta', code: 'BACKEND_UNAUTHORIZED', message: 'no' }] });
    await postGraphQL(gateway.url, 'query Named { backends { id } }');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/batchgate_graphql_requests_total\{operation="Named",type="query",outcome="ok"\} 1/);
    expect(metrics).toContain('batchgate_active_subscriptions 0');
  });

  it('answers unknown paths with a JSON 404 carrying a code', async () => {
    const { gateway } = await start();
    const base = gateway.url.replace('/graphql', '');
    for (const path of ['/nope', '/playground/missing.js', '/artifacts']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await response.json())).errors[0].extensions.code).toBe('NOT_FOUND');
    }
  });
});
