import { afterEach, expect, it } from 'vitest';
import { startTestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';
import { LIVE_WAIT, LIVE_BACKEND, backendEntry, startLiveEmulator } from './utils/live.js';

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
  const gateway = await startTestGateway({
    polling: { intervalMs: 50, maxIntervalMs: 100, listIntervalMs: 50 },
    backends: [{ ...backendEntry(emulator), forgottenAfterAnswers: 3 }],
  });
  cleanups.push(() => gateway.close());

  const started = await postGraphQL(gateway.url, `mutation { startBatch(input: { backend: "${LIVE_BACKEND}", slv: { commissionController: { controllerStrId: "c-1", flags: 5 } } }) { batch { id nativeId state } } }`);
  const { id, nativeId } = started.body.data.startBatch.batch as { id: string; nativeId: string };
  emulator.tick();

  const client = openWsClient(gateway.wsUrl, { lazy: false });
  cleanups.push(() => client.dispose());
  const watch = subscribe<{ terminal: boolean; error: { code: string; message: string } | null; batch: { state: string; error: { code: string } | null } }>(
    client,
    FORGOTTEN_PROGRESS,
    { id },
  );
  await expect.poll(() => watch.events.length > 0, { ...LIVE_WAIT, message: 'the first event' }).toBeTruthy();
  emulator.unknownBatchAnswer = 'generic-error';
  emulator.forget(nativeId);

  expect(await watch.done).toBe('complete');
  expect(watch.errors).toEqual([]);
  const last = watch.events.at(-1)!;
  expect(last).toMatchObject({ terminal: true, error: { code: 'BATCH_NOT_FOUND' }, batch: { state: 'RUNNING', error: { code: 'BATCH_NOT_FOUND' } } });
  expect(last.error!.message).toContain(`no longer knows batch ${nativeId}`);

  const read = await postGraphQL(gateway.url, `query($id: ID!) { batch(id: $id) { state error { code message } } }`, { id });
  expect(read.body.errors).toBeUndefined();
  expect(read.body.data.batch).toMatchObject({ state: 'RUNNING', error: { code: 'BATCH_NOT_FOUND' } });
});
