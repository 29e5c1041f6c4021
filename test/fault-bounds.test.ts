import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KINDS, startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/**
 * Bounded faults: a hanging backend costs one `upstream.timeoutMs` (not one per attempt, nor one
 * per backend listed), and stalled artifact downloads never take the sockets queries and polls need.
 */

const TIMEOUT_MS = 1000;

let emulators: EmulatorSet;
let gw: TestGateway;
const ids: Record<string, string> = {};

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 20 });
  gw = await startTestGateway(
    {
      backends: emulators.entries,
      // No answer cache and a circuit that stays closed: every call below reaches the faulty backend.
      upstream: { timeoutMs: TIMEOUT_MS, cacheTtlMs: 0, failuresToOpen: 1000, probeIntervalMs: 60_000, maxStreams: 4, streamIdleMs: 4000 },
    },
    { fastFaults: true },
  );
  for (const kind of KINDS) ids[kind] = (await startSample(gw.url, kind)).id;
});

afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

const timed = async <T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
};

describe('a backend that never answers', () => {
  it.each(KINDS)('%s: the answer comes within timeoutMs + 0.5 s, with the others\' data and BACKEND_TIMEOUT naming it', async (kind) => {
    await emulators.byKind[kind].http.setFaults([{ fault: { kind: 'hang' } }]);
    try {
      const query = `query All(${KINDS.map((each) => `$${each}: ID!`).join(', ')}) {
        ${KINDS.map((each) => `${each}: batch(id: $${each}) { id }`).join('\n        ')}
        batches(first: 100) { edges { node { backend { id } } } }
      }`;
      const { value: response, ms } = await timed(() => postGraphQL(gw.url, query, ids));
      if (process.env['FAULT_FIGURES']) console.log({ kind, ms });
      expect(ms).toBeLessThan(TIMEOUT_MS + 500);
      const errors = response.body.errors ?? [];
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors.map((error) => `${error.extensions?.['code']} ${error.extensions?.['backend']}`))).toEqual(new Set([`BACKEND_TIMEOUT ${kind}`]));
      expect(response.body.data?.[kind]).toBeNull();
      const listed = new Set(response.body.data?.batches.edges.map((edge: { node: { backend: { id: string } } }) => edge.node.backend.id));
      for (const other of KINDS.filter((candidate) => candidate !== kind)) {
        expect(response.body.data?.[other]).toEqual({ id: ids[other] });
        expect(listed.has(other)).toBe(true);
      }
      // A backend that cannot list (SLV) still shows the batches the gateway records, as last seen:
      // the error above says they may be out of date. The others' listing has none of the failed one's.
      expect(listed.has(kind)).toBe(kind === 'slv');
    } finally {
      await emulators.byKind[kind].http.setFaults([]);
    }
  });
});

describe('an AWS backend that never answers', () => {
  const BATCH = 'query($id: ID!) { batch(id: $id) { id } }';
  const LIST = 'query($backend: ID!) { batches(backend: $backend, first: 5) { edges { node { id } } } }';
  const CASES = [
    { kind: 'awsml', operation: 'GetBatchPrediction', query: BATCH },
    { kind: 'awsml', operation: 'DescribeBatchPredictions', query: LIST },
    { kind: 'sagemaker', operation: 'DescribeTransformJob', query: BATCH },
    { kind: 'sagemaker', operation: 'ListTransformJobs', query: LIST },
  ] as const;
  it.each(CASES)('$kind: $operation is sent once: the SDK does not retry past timeoutMs in the background', async ({ kind, operation, query }) => {
    const http = emulators.byKind[kind].http;
    const sent = () => http.count((request) => String(request.headers['x-amz-target'] ?? '').endsWith(`.${operation}`));
    await http.setFaults([{ fault: { kind: 'hang' } }]);
    try {
      const before = sent();
      const { body } = await postGraphQL(gw.url, query, { id: ids[kind], backend: kind });
      expect(body.errors?.[0]?.extensions?.['code']).toBe('BACKEND_TIMEOUT');
      // Each of the SDK's attempts has its own socket timeout: without one deadline on the whole call,
      // a second would follow about a tenth of a second after the first timed out.
      await sleep(TIMEOUT_MS);
      expect(sent() - before).toBe(1);
    } finally {
      await http.setFaults([]);
    }
  });
});

describe('artifact downloads', () => {
  it('40 stalled downloads leave queries and live polls of the backend answering within timeoutMs, and are cut when idle', async () => {
    const azureml = emulators.byKind.azureml.http;
    const batchQuery = `query($id: ID!) { batch(id: $id) { state executions { edges { node { artifacts { url } } } } } }`;
    const url = await vi.waitFor(
      async () => {
        const { body } = await postGraphQL(gw.url, batchQuery, { id: ids['azureml'] });
        expect(body.data?.batch.state).toBe('SUCCEEDED');
        return body.data!.batch.executions.edges[0].node.artifacts[0].url as string;
      },
      { timeout: 10_000, interval: 100 },
    );

    await azureml.setFaults([{ fault: { kind: 'stall' }, path: /\/files\/[^/]+$/ }]);
    const downloads: Array<Promise<Response>> = [];
    try {
      for (let at = 0; at < 40; at += 1) downloads.push(fetch(url));
      // The first maxStreams downloads start (headers, then nothing); the others wait for a
      // download socket and give up after timeoutMs.
      await expect.poll(() => azureml.count((request) => /\/files\//.test(request.path)), { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(4);

      // Meanwhile the backend's other calls go through the API sockets, untouched.
      const read = await timed(() => postGraphQL(gw.url, `query($id: ID!) { batch(id: $id) { state } } `, { id: ids['azureml'] }));
      expect(read.value.body).toEqual({ data: { batch: { state: 'SUCCEEDED' } } });
      expect(read.ms).toBeLessThan(TIMEOUT_MS);
      const listing = await timed(() => postGraphQL(gw.url, `{ batches(backend: "azureml", first: 10) { edges { node { id } } } }`));
      expect(listing.value.body.errors).toBeUndefined();
      expect(listing.ms).toBeLessThan(TIMEOUT_MS);

      // A live subscription on another batch of the same backend gets its snapshot and its updates.
      const running = await startSample(gw.url, 'azureml');
      const client = openWsClient(gw.wsUrl);
      try {
        const watch = subscribe(client, `subscription($id: ID!) { batchProgress(id: $id) { terminal batch { state } } }`, { id: running.id });
        const watched = await timed(() => watch.done);
        expect(watched.value).toBe('complete');
        expect(watch.errors).toEqual([]);
        expect(watch.events.at(-1)).toEqual({ terminal: true, batch: { state: 'SUCCEEDED' } });
      } finally {
        await client.dispose();
      }

      const answers = await Promise.all(downloads);
      const statuses = answers.map((answer) => answer.status);
      const started = answers.filter((answer) => answer.status === 200);
      // At most maxStreams downloads ever held a socket; the others were refused in time.
      expect(started.length).toBe(4);
      if (process.env['FAULT_FIGURES']) console.log({ readMs: read.ms, listingMs: listing.ms, statuses });
      expect(statuses.filter((status) => status !== 200).every((status) => status === 504)).toBe(true);
      // A download that moves no byte for streamIdleMs is cut, freeing its socket.
      for (const answer of started) await expect(answer.arrayBuffer()).rejects.toThrow();
      // The refused ones were abandoned while they waited: they never reach the backend, even
      // once the cut downloads free their sockets.
      // A window in which nothing may happen: no condition marks its end.
      await sleep(300);
      expect(azureml.count((request) => /\/files\//.test(request.path))).toBe(4);
    } finally {
      await azureml.setFaults([]);
      await Promise.allSettled(downloads.map(async (download) => (await download).body?.cancel()));
    }
  });
});
