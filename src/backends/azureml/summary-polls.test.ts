import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { validateConfig } from '../../config/load.js';
import { encodeBatchId } from '../../core/ids.js';
import { startGateway, type Gateway } from '../../gateway.js';
import { backendModules } from '../index.js';
import { startAzureMlEmulator, type AzureMlEmulator } from './emulator/index.js';

/**
 * Live polls of an ML Server batch read its results only while some watcher selects executions:
 * the body of a batch with thousands of finished records is most of a poll's cost.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ emulator: AzureMlEmulator; gateway: Gateway; client: Client; batchId: string; nativeId: string }> {
  const emulator = await startAzureMlEmulator({ tickMs: 600_000 });
  cleanups.push(() => emulator.close());
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-summary-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const config = validateConfig(
    {
      listen: { host: '127.0.0.1', port: 0 },
      store: { path: folder },
      log: { level: 'silent' },
      polling: { intervalMs: 100, maxIntervalMs: 100, listIntervalMs: 100 },
      backends: [{ id: 'mls', kind: 'azureml', ...emulator.connection }],
    },
    'test',
    { modules: backendModules },
  );
  const gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
  cleanups.push(() => gateway.close());
  const client = createClient({ url: gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  cleanups.push(() => client.dispose());
  const service = emulator.services.find((candidate) => candidate.name === 'Double')!;
  const execution = emulator.batches.start(service, Array.from({ length: 40 }, (_, x) => ({ x })), 1);
  emulator.advance(3);
  const nativeId = `${service.name}/${service.version}/${execution.id}`;
  return { emulator, gateway, client, batchId: encodeBatchId('mls', nativeId), nativeId };
}

/** Collects a subscription's events until `stop` is called. */
function watch<T>(client: Client, query: string, variables: Record<string, unknown>): { events: T[]; errors: unknown[]; stop: () => void } {
  const events: T[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<T>({ query, variables }, { next: (result) => (result.errors ? errors.push(result.errors) : events.push(result.data as T)), error: (error) => errors.push(error), complete: () => undefined });
  cleanups.push(stop);
  return { events, errors, stop };
}

const pollsOf = (emulator: AzureMlEmulator, nativeId: string, since: number) => {
  const executionId = nativeId.split('/')[2]!;
  return emulator.http.requests.filter((request) => request.at >= since && request.method === 'GET' && request.path.endsWith(`/batch/${executionId}`));
};

type Progress = { batchProgress: { batch: { progress: { completedItems: number }; executions?: { totalCount: number }; steps?: unknown[] } } };

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
    const before = heavy.events.at(-1)!.batchProgress.batch.progress.completedItems;
    emulator.advance(4);
    await expect.poll(() => heavy.events.at(-1)?.batchProgress.batch.progress.completedItems).toBeGreaterThan(before);
    const latest = heavy.events.at(-1)!.batchProgress.batch;
    expect(latest.executions!.totalCount).toBe(latest.progress.completedItems);
    await expect.poll(() => pollsOf(emulator, nativeId, joined).length).toBeGreaterThanOrEqual(2);
    expect(pollsOf(emulator, nativeId, joined).slice(1).every((request) => request.query.get('showPartialResults') === 'true')).toBe(true);

    // The reader leaves: back to summary polls, and the light watcher still sees every change.
    heavy.stop();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const left = Date.now();
    const seen = light.events.at(-1)!.batchProgress.batch.progress.completedItems;
    emulator.advance(4);
    await expect.poll(() => light.events.at(-1)?.batchProgress.batch.progress.completedItems).toBeGreaterThan(seen);
    expect(pollsOf(emulator, nativeId, left).every((request) => request.query.get('showPartialResults') === 'false')).toBe(true);
    expect([light.errors, heavy.errors]).toEqual([[], []]);
  });

  it('gives executions to a watcher whose event came from a summary read (batchUpdates, batches)', async () => {
    const { emulator, gateway, client, batchId } = await setup();
    watch<Progress>(client, 'subscription ($id: ID!) { batchProgress(id: $id) { batch { progress { completedItems } } } }', { id: batchId });
    type Update = { batchUpdates: { batch: { id: string; progress: { completedItems: number }; executions: { totalCount: number } } } };
    const updates = watch<Update>(client, 'subscription { batchUpdates { batch { id progress { completedItems } executions { totalCount } } } }', {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    emulator.advance(8);
    const reached = (event: Update) => event.batchUpdates.batch.id === batchId && event.batchUpdates.batch.progress.completedItems >= 3;
    await expect.poll(() => updates.events.find(reached)).toBeTruthy();
    // Executions come from a read no older than the summary: at least as far as the progress it came with.
    const event = updates.events.find(reached)!.batchUpdates.batch;
    expect(event.executions.totalCount).toBeGreaterThanOrEqual(event.progress.completedItems);
    expect(updates.errors).toEqual([]);

    // A listing reads statuses without results too; executions selected there are read for the batch.
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ batches(first: 5) { edges { node { id progress { completedItems } executions { totalCount } } } } }' }),
    });
    const listed = ((await response.json()) as { data: { batches: { edges: Array<{ node: { id: string; progress: { completedItems: number }; executions: { totalCount: number } } }> } } }).data.batches.edges;
    const node = listed.find((edge) => edge.node.id === batchId)!.node;
    expect(node.executions.totalCount).toBeGreaterThanOrEqual(node.progress.completedItems);
    expect(node.progress.completedItems).toBeGreaterThan(0);
  });
});
