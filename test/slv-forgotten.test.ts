import { afterEach, expect, it } from 'vitest';
import { gql, startTestGateway, testConfig } from './utils/gateway.js';
import { LIVE_BACKEND, backendEntry, openClient, record, startLiveEmulator, waitUntil } from './utils/live.js';

const FORGOTTEN_PROGRESS = /* GraphQL */ `
  subscription Progress($id: ID!) {
    batchProgress(id: $id) { terminal error { code message backend } batch { id state error { code message } } }
  }
`;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

it('ends live progress of a batch SLV forgot with a final event carrying the error, and keeps the batch readable with its last state', async () => {
  // Batches advance only by hand: the one started stays RUNNING until SLV forgets it.
  const emulator = await startLiveEmulator(600_000);
  cleanups.push(() => emulator.close());
  const config = testConfig({
    polling: { intervalMs: 50, maxIntervalMs: 100, listIntervalMs: 50 },
    backends: [{ ...backendEntry(emulator), forgottenAfterAnswers: 3 }],
  });
  cleanups.push(() => config.cleanup());
  const gateway = await startTestGateway(config);
  cleanups.push(() => gateway.close());

  const started = await gql(gateway.url, `mutation { startBatch(input: { backend: "${LIVE_BACKEND}", slv: { commissionController: { controllerStrId: "c-1", flags: 5 } } }) { batch { id nativeId state } } }`);
  const { id, nativeId } = started.body.data.startBatch.batch as { id: string; nativeId: string };
  emulator.tick();

  const client = openClient(gateway.url.replace(/^http/, 'ws'));
  cleanups.push(() => client.dispose());
  const watch = record<{ terminal: boolean; error: { code: string; message: string } | null; batch: { state: string; error: { code: string } | null } }>(
    client,
    FORGOTTEN_PROGRESS,
    { id },
  );
  await waitUntil('the first event', () => watch.events.length > 0);
  emulator.unknownBatchAnswer = 'generic-error';
  emulator.forget(nativeId);

  expect(await watch.done).toBe('complete');
  expect(watch.errors).toEqual([]);
  const last = watch.events.at(-1)!;
  expect(last).toMatchObject({ terminal: true, error: { code: 'BATCH_NOT_FOUND' }, batch: { state: 'RUNNING', error: { code: 'BATCH_NOT_FOUND' } } });
  expect(last.error!.message).toContain(`no longer knows batch ${nativeId}`);

  const read = await gql(gateway.url, `query($id: ID!) { batch(id: $id) { state error { code message } } }`, { id });
  expect(read.body.errors).toBeUndefined();
  expect(read.body.data.batch).toMatchObject({ state: 'RUNNING', error: { code: 'BATCH_NOT_FOUND' } });
});
