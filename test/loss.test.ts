import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegisteredKind as BackendKind } from '../src/backends/index.js';
import { KINDS, startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe, type Subscription } from './utils/subscriptions.js';

/** Nothing is lost: not a terminal event under failing upstreams, not a record across a restart. */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PROGRESS = /* GraphQL */ `
  subscription Progress($id: ID!) {
    batchProgress(id: $id) { terminal error { code backend } batch { id state } }
  }
`;
interface ProgressEvent {
  terminal: boolean;
  error: { code: string; backend: string } | null;
  batch: { id: string; state: string };
}

describe('1,000 subscribers while 20 % of upstream calls fail', () => {
  it('delivers the terminal event to every subscriber, last, exactly once', { timeout: 90_000 }, async () => {
    // Batches take a few seconds, so the faults land while they run.
    const emulators: EmulatorSet = await startEmulatorSet({ tickMs: 400 });
    cleanups.push(() => emulators.close());
    const gw: TestGateway = await startTestGateway(
      { backends: emulators.entries, polling: { intervalMs: 100, maxIntervalMs: 400 }, upstream: { timeoutMs: 1000, failuresToOpen: 10_000 } },
      { fastFaults: true },
    );
    cleanups.push(() => gw.close());

    const plan: BackendKind[] = ['awsml', 'awsml', 'awsml', 'awsml', 'azureml', 'azureml', 'azureml', 'slv', 'slv', 'slv'];
    const ids: string[] = [];
    for (const kind of plan) ids.push((await startSample(gw.url, kind)).id);

    const clients: Client[] = Array.from({ length: 100 }, () => openWsClient(gw.wsUrl));
    cleanups.push(() => Promise.all(clients.map(async (client) => { await client.dispose(); })).then(() => undefined));
    const subscriptions: Array<{ id: string; subscription: Subscription<ProgressEvent> }> = [];
    for (const client of clients) for (const id of ids) subscriptions.push({ id, subscription: subscribe<ProgressEvent>(client, PROGRESS, { id }) });
    expect(subscriptions).toHaveLength(1000);

    // Every subscriber holds its snapshot; now one upstream call in five fails, in two different ways.
    await expect.poll(() => subscriptions.every(({ subscription }) => subscription.events.length > 0 || subscription.errors.length > 0), { timeout: 15_000 }).toBe(true);
    const faults = KINDS.map((kind) => emulators.byKind[kind].http.setFaults([
      { fault: { kind: 'status', status: 503 }, rate: 0.1 },
      { fault: { kind: 'reset' }, rate: 0.1 / 0.9 },
    ]));
    await Promise.all(faults);
    const outcomes = await Promise.all(subscriptions.map(({ subscription }) => subscription.done));
    await Promise.all(KINDS.map((kind) => emulators.byKind[kind].http.setFaults([])));

    expect(outcomes.filter((outcome) => outcome !== 'complete')).toEqual([]);
    for (const { id, subscription } of subscriptions) {
      expect(subscription.errors).toEqual([]);
      const terminals = subscription.events.filter((event) => event.terminal);
      expect(terminals).toHaveLength(1);
      expect(subscription.events.at(-1)).toBe(terminals[0]);
      expect(terminals[0]!.batch).toMatchObject({ id, state: 'SUCCEEDED' });
    }
  });
});

describe('after a restart', () => {
  it('still lists the batches the gateway started or cancelled', async () => {
    const emulators = await startEmulatorSet({ tickMs: 60_000 });
    cleanups.push(() => emulators.close());
    const storePath = mkdtempSync(join(tmpdir(), 'batchgate-loss-'));
    cleanups.push(() => rmSync(storePath, { recursive: true, force: true }));

    const first = await startTestGateway({ backends: emulators.entries, store: { path: storePath } }, { fastFaults: true });
    let started: string;
    let cancelled: string;
    try {
      // SLV cannot list its batches, and ML Server forgets a cancelled one: only the store knows them.
      started = (await startSample(first.url, 'slv')).id;
      cancelled = (await startSample(first.url, 'azureml')).id;
      const cancel = await postGraphQL(first.url, 'mutation ($id: ID!) { cancelBatch(id: $id) { batch { id state } } }', { id: cancelled });
      expect(cancel.body.data?.cancelBatch.batch).toEqual({ id: cancelled, state: 'CANCELLED' });
    } finally {
      await first.close();
    }

    const second = await startTestGateway({ backends: emulators.entries, store: { path: storePath } }, { fastFaults: true });
    cleanups.push(() => second.close());
    const listing = await postGraphQL(second.url, '{ batches(first: 100) { edges { node { id state backend { id } } } } }');
    expect(listing.body.errors).toBeUndefined();
    const nodes = listing.body.data!.batches.edges.map((edge: { node: unknown }) => edge.node);
    expect(nodes).toContainEqual({ id: started, state: 'QUEUED', backend: { id: 'slv' } });
    expect(nodes).toContainEqual({ id: cancelled, state: 'CANCELLED', backend: { id: 'azureml' } });
    const one = await postGraphQL(second.url, 'query ($id: ID!) { batch(id: $id) { state } }', { id: cancelled });
    expect(one.body).toEqual({ data: { batch: { state: 'CANCELLED' } } });
  });
});
