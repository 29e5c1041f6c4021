import { afterEach, describe, expect, it } from 'vitest';
import type { SlvEmulatorHandle } from '../src/backends/slv/index.js';
import { encodeBatchId } from '../src/core/ids.js';
import type { Gateway } from '../src/gateway.js';
import { gql, startTestGateway, testConfig } from './utils/gateway.js';
import {
  LIVE_BACKEND,
  PROGRESS,
  UPDATES,
  backendEntry,
  batchPolls,
  openClient,
  record,
  scriptBatch,
  sleep,
  startLiveEmulator,
  waitUntil,
  type ProgressEvent,
  type Recorded,
} from './utils/live.js';

const INTERVAL_MS = 100;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** An SLV emulator ticking every `tickMs` and a gateway polling it every 100 ms. */
async function setup(tickMs = 100): Promise<{ emulator: SlvEmulatorHandle; gateway: Gateway; wsUrl: string }> {
  const emulator = await startLiveEmulator(tickMs);
  cleanups.push(() => emulator.close());
  const config = testConfig({
    polling: { intervalMs: INTERVAL_MS, maxIntervalMs: 400, listIntervalMs: INTERVAL_MS },
    backends: [backendEntry(emulator)],
  });
  cleanups.push(() => config.cleanup());
  const gateway = await startTestGateway(config);
  cleanups.push(() => gateway.close());
  return { emulator, gateway, wsUrl: gateway.url.replace(/^http/, 'ws') };
}

function client(wsUrl: string) {
  const opened = openClient(wsUrl);
  cleanups.push(() => opened.dispose());
  return opened;
}

const terminalCount = (subscription: Recorded<ProgressEvent>) => subscription.events.filter((event) => event.terminal).length;

describe('batchProgress', () => {
  it('sends a snapshot at once, each change, then the terminal event, then completes', async () => {
    const { emulator, wsUrl } = await setup();
    const batch = scriptBatch(emulator, 2);
    const watch = record(client(wsUrl), PROGRESS, { id: batch.id });

    expect(await watch.done).toBe('complete');
    expect(watch.errors).toEqual([]);
    const events = watch.events;
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events[0]!.batch.id).toBe(batch.id);
    expect(events[0]!.terminal).toBe(false);
    expect(events.at(-1)).toMatchObject({ terminal: true, error: null, batch: { state: 'SUCCEEDED' } });
    expect(terminalCount(watch)).toBe(1);
    // Each event is a change: no two neighbours are the same.
    for (let at = 1; at < events.length; at += 1) expect(events[at]).not.toEqual(events[at - 1]);
  });

  it('gives a subscriber arriving after the end the terminal snapshot at once', async () => {
    const { emulator, wsUrl } = await setup(20);
    const batch = scriptBatch(emulator, 1, { fail: true });
    await waitUntil('the batch ends upstream', () => emulator.engine.running().length === 0);

    const watch = record(client(wsUrl), PROGRESS, { id: batch.id });
    expect(await watch.done).toBe('complete');
    expect(watch.events).toHaveLength(1);
    expect(watch.events[0]).toMatchObject({ terminal: true, batch: { id: batch.id, state: 'FAILED' } });
  });

  it('fails an unknown batch with BATCH_NOT_FOUND instead of hanging', async () => {
    const { wsUrl, gateway } = await setup();
    const watch = record(client(wsUrl), PROGRESS, { id: encodeBatchId(LIVE_BACKEND, '987654321') });
    await watch.done;
    expect(watch.events).toEqual([]);
    expect(watch.errors).toHaveLength(1);
    expect(watch.errors[0]).toMatchObject({ extensions: { code: 'BATCH_NOT_FOUND', backend: LIVE_BACKEND } });
    expect(gateway.hub.stats()).toMatchObject({ batchPollers: 0, listPollers: 0, subscribers: 0 });
  });

  it('serves 500 subscribers with one upstream poll per interval and one terminal event each', async () => {
    const { emulator, gateway, wsUrl } = await setup(100);
    const batch = scriptBatch(emulator, 5);
    const startedAt = Date.now();
    const clients = Array.from({ length: 10 }, () => client(wsUrl));
    const watches = clients.map((each) => Array.from({ length: 50 }, () => record(each, PROGRESS, { id: batch.id })));
    const all = watches.flat();
    await waitUntil('every subscriber has its snapshot', () => all.every((watch) => watch.events.length > 0));
    expect(gateway.hub.stats()).toMatchObject({ batchPollers: 1, subscribers: 500 });

    // One connection leaves mid-run: its 50 subscriptions end, nobody else's does.
    await waitUntil('the batch has moved', () => all[0]!.events.length >= 3);
    await clients[0]!.dispose();
    await waitUntil('the hub dropped the leavers', () => gateway.hub.stats().subscribers === 450);

    const stayed = watches.slice(1).flat();
    const outcomes = await Promise.all(stayed.map((watch) => watch.done));
    const elapsedMs = Date.now() - startedAt;
    expect(outcomes.every((outcome) => outcome === 'complete')).toBe(true);
    expect(stayed.map(terminalCount)).toEqual(stayed.map(() => 1));
    expect(stayed.every((watch) => watch.events.at(-1)?.batch.state === 'SUCCEEDED')).toBe(true);

    // The first subscriber's snapshot read, then at most one poll per interval elapsed.
    const polls = batchPolls(emulator, batch.nativeId);
    const intervals = Math.ceil(elapsedMs / INTERVAL_MS);
    console.info(`[live figures] 500 subscribers, one process: ${polls} upstream polls in ${elapsedMs} ms (${intervals} intervals of ${INTERVAL_MS} ms)`);
    expect(polls).toBeGreaterThanOrEqual(4);
    expect(polls).toBeLessThanOrEqual(intervals + 2);
    await waitUntil('the poller stopped', () => gateway.hub.stats().batchPollers === 0);
  });

  it('stops polling after the last subscriber leaves', async () => {
    const { emulator, gateway, wsUrl } = await setup(100);
    const batch = scriptBatch(emulator, 100);
    const [first, second] = [client(wsUrl), client(wsUrl)];
    const watches = [record(first, PROGRESS, { id: batch.id }), record(first, PROGRESS, { id: batch.id }), record(second, PROGRESS, { id: batch.id })];
    await waitUntil('polls have started', () => batchPolls(emulator, batch.nativeId) >= 3);

    watches[0]!.unsubscribe();
    await first.dispose();
    await waitUntil('one subscriber is left', () => gateway.hub.stats().subscribers === 1);
    expect(gateway.hub.stats().batchPollers).toBe(1);
    const stillPolling = batchPolls(emulator, batch.nativeId);
    await waitUntil('the remaining subscriber is still served by polls', () => batchPolls(emulator, batch.nativeId) > stillPolling);

    await second.dispose();
    await waitUntil('the poller stopped', () => gateway.hub.stats().batchPollers === 0);
    expect(gateway.hub.stats()).toMatchObject({ batchPollers: 0, listPollers: 0, subscribers: 0 });
    const after = batchPolls(emulator, batch.nativeId);
    await sleep(INTERVAL_MS * 5);
    expect(batchPolls(emulator, batch.nativeId)).toBe(after);
  });

  it('tells subscribers about a backend outage without closing, then carries them to the end', async () => {
    const { emulator, wsUrl } = await setup(100);
    const batch = scriptBatch(emulator, 4);
    const clients = [client(wsUrl), client(wsUrl)];
    const watches = clients.flatMap((each) => [record(each, PROGRESS, { id: batch.id }), record(each, PROGRESS, { id: batch.id })]);
    await waitUntil('the batch has moved', () => watches.every((watch) => watch.events.length >= 2));

    await emulator.http.setFaults([{ fault: { kind: 'down' } }]);
    await waitUntil('every subscriber heard of the outage', () => watches.every((watch) => watch.events.some((event) => event.error)));
    expect(watches.every((watch) => !watch.settled)).toBe(true);
    await emulator.http.setFaults([]);

    expect(await Promise.all(watches.map((watch) => watch.done))).toEqual(['complete', 'complete', 'complete', 'complete']);
    for (const watch of watches) {
      const outage = watch.events.find((event) => event.error)!;
      expect(outage).toMatchObject({ terminal: false, error: { code: 'BACKEND_UNAVAILABLE', backend: LIVE_BACKEND } });
      expect(terminalCount(watch)).toBe(1);
      expect(watch.events.at(-1)).toMatchObject({ terminal: true, error: null, batch: { state: 'SUCCEEDED' } });
      expect(watch.errors).toEqual([]);
    }
  });
});

describe('batchUpdates', () => {
  it('sends changes of matching batches, batches started after subscribing included', async () => {
    const { gateway, wsUrl } = await setup(100);
    const watch = record<{ terminal: boolean; batch: { id: string; state: string } }>(client(wsUrl), UPDATES, {
      backend: LIVE_BACKEND,
      states: ['RUNNING', 'SUCCEEDED'],
    });
    await waitUntil('the list poller runs', () => gateway.hub.stats().listPollers === 1);

    const start = async (controllerStrId: string) => {
      const response = await gql(gateway.url, 'mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id state } } }', {
        input: { backend: LIVE_BACKEND, slv: { commissionController: { controllerStrId, flags: 5 } } },
      });
      expect(response.body.errors).toBeUndefined();
      return response.body.data.startBatch.batch as { id: string; state: string };
    };
    const good = await start('updates-ok');
    const failing = await start('offline-updates');

    await waitUntil('the good batch succeeded', () => watch.events.some((event) => event.batch.id === good.id && event.batch.state === 'SUCCEEDED'));
    // Wait for the failing one to end too, so a wrongly sent FAILED event would have arrived.
    await waitUntil('the failing batch ended', async () => {
      const response = await gql(gateway.url, 'query($id: ID!) { batch(id: $id) { state } }', { id: failing.id });
      return response.body.data?.batch?.state === 'FAILED';
    });
    await sleep(INTERVAL_MS * 3);

    const states = (id: string) => watch.events.filter((event) => event.batch.id === id).map((event) => event.batch.state);
    expect(states(good.id)[0]).toBe('RUNNING');
    expect(states(good.id).at(-1)).toBe('SUCCEEDED');
    expect(states(good.id).filter((state) => state === 'SUCCEEDED')).toHaveLength(1);
    expect(states(failing.id)).not.toContain('FAILED');
    expect(watch.events.every((event) => ['RUNNING', 'SUCCEEDED'].includes(event.batch.state))).toBe(true);
    expect(watch.settled).toBe(false);
  });
});
