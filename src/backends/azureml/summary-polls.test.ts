import { afterEach, describe, expect, it } from 'vitest';
import { postGraphQL } from '../../../test/utils/graphql.js';
import { startTestGateway } from '../../../test/utils/gateway.js';
import { openWsClient, subscribe } from '../../../test/utils/subscriptions.js';
import { encodeBatchId } from '../../core/ids.js';
import { startAzureMlEmulator, type AzureMlEmulator } from './emulator/index.js';

/**
 * Live polls of an ML Server batch read its results only while some watcher selects executions:
 * the body of a batch with thousands of finished records is most of a poll's cost.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const emulator = await startAzureMlEmulator({ tickMs: 600_000 });
  cleanups.push(() => emulator.close());
  const gateway = await startTestGateway({
    polling: { intervalMs: 100, maxIntervalMs: 100, listIntervalMs: 100 },
    backends: [{ id: 'mls', kind: 'azureml', ...emulator.connection }],
  });
  cleanups.push(() => gateway.close());
  const client = openWsClient(gateway.wsUrl);
  cleanups.push(() => client.dispose());
  const service = emulator.services.find((candidate) => candidate.name === 'Double')!;
  const execution = emulator.batches.start(service, Array.from({ length: 40 }, (_, x) => ({ x })), 1);
  emulator.advance(3);
  const nativeId = `${service.name}/${service.version}/${execution.id}`;
  return { emulator, url: gateway.url, client, batchId: encodeBatchId('mls', nativeId), nativeId };
}

/** Subscribes until the test ends. */
function watch<T>(client: ReturnType<typeof openWsClient>, query: string, variables: Record<string, unknown>) {
  const subscription = subscribe<T>(client, query, variables);
  cleanups.push(() => subscription.unsubscribe());
  return subscription;
}

const pollsOf = (emulator: AzureMlEmulator, nativeId: string, since: number) => {
  const executionId = nativeId.split('/')[2]!;
  return emulator.http.requests.filter((request) => request.at >= since && request.method === 'GET' && request.path.endsWith(`/batch/${executionId}`));
};

type Progress = { batch: { progress: { completedItems: number }; executions?: { totalCount: number } } };

describe('ML Server live polls', () => {
  it('leave results out while no watcher selects executions, and read them while one does', async () => {
    const { emulator, client, batchId, nativeId } = await setup();
    const since = Date.now();
    const light = watch<Progress>(client, 'subscription ($id: ID!) { batchProgress(id: $id) { batch { progress { completedItems } } } }', { id: batchId });
    await expect.poll(() => pollsOf(emulator, nativeId, since).length).toBeGreaterThanOrEqual(3);
    expect(pollsOf(emulator, nativeId, since).slice(1).map((request) => request.query.get('showPartialResults'))).toEqual(expect.arrayContaining(['false']));
    expect(pollsOf(emulator, nativeId, since).slice(1).every((request) => request.query.get('showPartialResults') === 'false')).toBe(true);

    // A watcher reading executions through a fragment: polls carry results again, and its events have them.
    const heavy = watch<Progress>(
      client,
      'subscription ($id: ID!) { batchProgress(id: $id) { batch { ...Rows } } } fragment Rows on Batch { progress { completedItems } executions(first: 100) { totalCount } }',
      { id: batchId },
    );
    await expect.poll(() => heavy.events.length).toBeGreaterThanOrEqual(1);
    const joined = Date.now();
    const before = heavy.events.at(-1)!.batch.progress.completedItems;
    emulator.advance(4);
    await expect.poll(() => heavy.events.at(-1)?.batch.progress.completedItems).toBeGreaterThan(before);
    const latest = heavy.events.at(-1)!.batch;
    expect(latest.executions!.totalCount).toBe(latest.progress.completedItems);
    await expect.poll(() => pollsOf(emulator, nativeId, joined).length).toBeGreaterThanOrEqual(2);
    expect(pollsOf(emulator, nativeId, joined).slice(1).every((request) => request.query.get('showPartialResults') === 'true')).toBe(true);

    // The reader leaves: back to summary polls, and the light watcher still sees every change.
    heavy.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const left = Date.now();
    const seen = light.events.at(-1)!.batch.progress.completedItems;
    emulator.advance(4);
    await expect.poll(() => light.events.at(-1)?.batch.progress.completedItems).toBeGreaterThan(seen);
    expect(pollsOf(emulator, nativeId, left).every((request) => request.query.get('showPartialResults') === 'false')).toBe(true);
    expect([light.errors, heavy.errors]).toEqual([[], []]);
  });

  it('gives executions to a watcher whose event came from a summary read (batchUpdates, batches)', async () => {
    const { emulator, url, client, batchId } = await setup();
    watch<Progress>(client, 'subscription ($id: ID!) { batchProgress(id: $id) { batch { progress { completedItems } } } }', { id: batchId });
    type Update = { batch: { id: string; progress: { completedItems: number }; executions: { totalCount: number } } };
    const updates = watch<Update>(client, 'subscription { batchUpdates { batch { id progress { completedItems } executions { totalCount } } } }', {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    emulator.advance(8);
    const reached = (event: Update) => event.batch.id === batchId && event.batch.progress.completedItems >= 3;
    await expect.poll(() => updates.events.find(reached)).toBeTruthy();
    // Executions come from a read no older than the summary: at least as far as the progress it came with.
    const event = updates.events.find(reached)!.batch;
    expect(event.executions.totalCount).toBeGreaterThanOrEqual(event.progress.completedItems);
    expect(updates.errors).toEqual([]);

    // A listing reads statuses without results too; executions selected there are read for the batch.
    type Listed = { batches: { edges: Array<{ node: { id: string; progress: { completedItems: number }; executions: { totalCount: number } } }> } };
    const listed = await postGraphQL<Listed>(url, '{ batches(first: 5) { edges { node { id progress { completedItems } executions { totalCount } } } } }');
    const node = listed.body.data!.batches.edges.find((edge) => edge.node.id === batchId)!.node;
    expect(node.executions.totalCount).toBeGreaterThanOrEqual(node.progress.completedItems);
    expect(node.progress.completedItems).toBeGreaterThan(0);
  });
});
