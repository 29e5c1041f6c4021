import { encodeBatchId } from '../src/core/ids.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/**
 * What the gateway's records answer for when the backend cannot: a subscription opened while the
 * backend is down, and an ML Server batch after cancelBatch (the server deletes it).
 */

let emulators: EmulatorSet;
let gw: TestGateway;
let batchPolls = 0;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 60_000 });
  // A deadline well above a refused connection's retries, so a loaded machine still sees BACKEND_UNAVAILABLE.
  gw = await startTestGateway(
    { backends: emulators.entries, upstream: { timeoutMs: 2000, cacheTtlMs: 0, failuresToOpen: 1000 } },
    { fastFaults: true, onPoll: (kind) => void (kind === 'batch' && (batchPolls += 1)) },
  );
});

afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

const advance = (ticks: number) => (emulators.byKind.azureml as unknown as { advance(ticks: number): void }).advance(ticks);

const PROGRESS = /* GraphQL */ `
  subscription($id: ID!) {
    batchProgress(id: $id) { terminal error { code backend } batch { id state progress { completedItems } } }
  }
`;

describe('subscribing while the backend is down', () => {
  it('opens with the last known state and the error, stays open, and carries on once polling recovers', async () => {
    const batch = await startSample(gw.url, 'azureml');
    const http = emulators.byKind.azureml.http;
    const client = openWsClient(gw.wsUrl);
    try {
      await http.setFaults([{ fault: { kind: 'down' } }]);
      const watch = subscribe(client, PROGRESS, { id: batch.id });
      await expect.poll(() => watch.events.length, { timeout: 5000 }).toBeGreaterThan(0);
      expect(watch.events[0]).toEqual({
        terminal: false,
        error: { code: 'BACKEND_UNAVAILABLE', backend: 'azureml' },
        batch: { id: batch.id, state: 'QUEUED', progress: { completedItems: 0 } },
      });
      // Several failed polls later (every 100 ms, backing off) the stream is still open, with no second error event.
      expect(gw.gateway.hub.stats().batchPollers).toBe(1);
      const pollsBefore = batchPolls;
      await expect.poll(() => batchPolls, { timeout: 5000 }).toBeGreaterThanOrEqual(pollsBefore + 3);
      expect(watch.events).toHaveLength(1);
      expect(watch.errors).toEqual([]);

      await http.setFaults([]);
      advance(100);
      expect(await watch.done).toBe('complete');
      const last = watch.events.at(-1);
      expect(last).toMatchObject({ terminal: true, error: null, batch: { state: 'SUCCEEDED', progress: { completedItems: 4 } } });
      expect(watch.events.slice(1).every((event) => event.error === null)).toBe(true);
    } finally {
      await http.setFaults([]);
      await client.dispose();
    }
  });

  it('refuses a batch the gateway has no record of, with the backend error', async () => {
    const http = emulators.byKind.azureml.http;
    const client = openWsClient(gw.wsUrl);
    try {
      await http.setFaults([{ fault: { kind: 'down' } }]);
      const unknown = encodeBatchId('azureml', 'TxService/1.0/not-recorded');
      const watch = subscribe(client, PROGRESS, { id: unknown });
      await watch.done;
      expect(watch.events).toEqual([]);
      expect(watch.errors).toMatchObject([{ extensions: { code: 'BACKEND_UNAVAILABLE', backend: 'azureml' } }]);
    } finally {
      await http.setFaults([]);
      await client.dispose();
    }
  });
});

describe('a backend that cannot list (SLV), down', () => {
  it('lists the batches the gateway records as last seen, with an error naming the backend', async () => {
    const batch = await startSample(gw.url, 'slv');
    const http = emulators.byKind.slv.http;
    const list = () => postGraphQL(gw.url, `{ batches(backend: "slv", first: 50) { edges { node { id state } } } }`);
    const fresh = await list();
    expect(fresh.body.errors).toBeUndefined();
    await http.setFaults([{ fault: { kind: 'down' } }]);
    try {
      const stale = await list();
      expect(stale.body.errors?.map((error) => [error.extensions?.['code'], error.extensions?.['backend']])).toEqual([['BACKEND_UNAVAILABLE', 'slv']]);
      expect(stale.body.data.batches.edges).toEqual(fresh.body.data.batches.edges);
      expect(stale.body.data.batches.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(batch.id);
    } finally {
      await http.setFaults([]);
    }
    await expect.poll(async () => (await list()).body.errors, { timeout: 5000 }).toBeUndefined();
  });
});

describe('a cancelled ML Server batch', () => {
  it('stays readable with the artifacts seen before, and its terminal event carries it', async () => {
    const batch = await startSample(gw.url, 'azureml');
    advance(3);
    const client = openWsClient(gw.wsUrl);
    const details = /* GraphQL */ `
      query($id: ID!) { batch(id: $id) { state progress { completedItems } executions { edges { node { index state artifacts { name url } } } } } }
    `;
    try {
      const before = await postGraphQL(gw.url, details, { id: batch.id });
      expect(before.body.errors).toBeUndefined();
      const done = before.body.data.batch.executions.edges.filter((edge: { node: { state: string } }) => edge.node.state === 'SUCCEEDED');
      expect(done.length).toBeGreaterThan(0);

      const watch = subscribe(
        client,
        `subscription($id: ID!) { batchProgress(id: $id) { terminal batch { state executions { edges { node { index artifacts { name } } } } } } }`,
        { id: batch.id },
      );
      await expect.poll(() => watch.events.length, { timeout: 5000 }).toBeGreaterThan(0);
      const cancelled = await postGraphQL(gw.url, `mutation($id: ID!) { cancelBatch(id: $id) { batch { state } } }`, { id: batch.id });
      expect(cancelled.body).toEqual({ data: { cancelBatch: { batch: { state: 'CANCELLED' } } } });

      expect(await watch.done).toBe('complete');
      expect(watch.errors).toEqual([]);
      const terminal = watch.events.at(-1);
      expect(terminal.terminal).toBe(true);
      expect(terminal.batch?.state).toBe('CANCELLED');

      // The server forgot it; the gateway answers from its record, artifacts as they were seen.
      const after = await postGraphQL(gw.url, details, { id: batch.id });
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data.batch.state).toBe('CANCELLED');
      const artifactsAfter = Object.fromEntries(
        after.body.data.batch.executions.edges.map((edge: { node: { index: number; artifacts: Array<{ name: string }> } }) => [edge.node.index, edge.node.artifacts.map((artifact) => artifact.name)]),
      );
      for (const edge of done) expect(artifactsAfter[edge.node.index]).toEqual(edge.node.artifacts.map((artifact: { name: string }) => artifact.name));
      const listed = await postGraphQL(gw.url, `{ batches(backend: "azureml", first: 50) { edges { node { id state } } } }`);
      expect(listed.body.errors).toBeUndefined();
      expect(listed.body.data.batches.edges.filter((edge: { node: { id: string } }) => edge.node.id === batch.id)).toEqual([{ node: { id: batch.id, state: 'CANCELLED' } }]);
    } finally {
      await client.dispose();
    }
  });
});
