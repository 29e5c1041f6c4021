import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlvEmulatorHandle } from '../src/backends/slv/index.js';
import { encodeBatchId } from '../src/core/ids.js';
import type { Gateway } from '../src/gateway.js';
import { startTestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe, type Subscription } from './utils/subscriptions.js';
import { LIVE_BACKEND, LIVE_WAIT, PROGRESS, UPDATES, backendEntry, batchPolls, scriptBatch, startLiveEmulator, type ProgressEvent } from './utils/live.js';

const INTERVAL_MS = 100;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** An SLV emulator ticking every `tickMs` and a gateway polling it every 100 ms. */
async function setup(tickMs = 100): Promise<{ emulator: SlvEmulatorHandle; gateway: Gateway; wsUrl: string; listPolls: () => number }> {
  const emulator = await startLiveEmulator(tickMs);
  cleanups.push(() => emulator.close());
  let listPolls = 0;
  const started = await startTestGateway(
    { polling: { intervalMs: INTERVAL_MS, maxIntervalMs: 400, listIntervalMs: INTERVAL_MS }, backends: [backendEntry(emulator)] },
    { onPoll: (kind) => void (kind === 'list' && (listPolls += 1)) },
  );
  cleanups.push(() => started.close());
  return { emulator, gateway: started.gateway, wsUrl: started.wsUrl, listPolls: () => listPolls };
}

function client(wsUrl: string) {
  const opened = openWsClient(wsUrl, { lazy: false });
  cleanups.push(() => opened.dispose());
  return opened;
}

const terminalCount = (subscription: Subscription<ProgressEvent>) => subscription.events.filter((event) => event.terminal).length;

describe('batchProgress', () => {
  it('sends a snapshot at once, each change, then the terminal event, then completes', async () => {
    const { emulator, wsUrl } = await setup();
    const batch = scriptBatch(emulator, 2);
    const watch = subscribe(client(wsUrl), PROGRESS, { id: batch.id });

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
    await expect.poll(() => emulator.engine.running().length === 0, { ...LIVE_WAIT, message: 'the batch ends upstream' }).toBeTruthy();

    const watch = subscribe(client(wsUrl), PROGRESS, { id: batch.id });
    expect(await watch.done).toBe('complete');
    expect(watch.events).toHaveLength(1);
    expect(watch.events[0]).toMatchObject({ terminal: true, batch: { id: batch.id, state: 'FAILED' } });
  });

  it('fails an unknown batch with BATCH_NOT_FOUND instead of hanging', async () => {
    const { wsUrl, gateway } = await setup();
    const watch = subscribe(client(wsUrl), PROGRESS, { id: encodeBatchId(LIVE_BACKEND, '987654321') });
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
    const watches = clients.map((each) => Array.from({ length: 50 }, () => subscribe(each, PROGRESS, { id: batch.id })));
    const all = watches.flat();
    await expect.poll(() => all.every((watch) => watch.events.length > 0), { ...LIVE_WAIT, message: 'every subscriber has its snapshot' }).toBeTruthy();
    expect(gateway.hub.stats()).toMatchObject({ batchPollers: 1, subscribers: 500 });

    // One connection leaves mid-run: its 50 subscriptions end, nobody else's does.
    await expect.poll(() => all[0]!.events.length >= 3, { ...LIVE_WAIT, message: 'the batch has moved' }).toBeTruthy();
    await clients[0]!.dispose();
    await expect.poll(() => gateway.hub.stats().subscribers === 450, { ...LIVE_WAIT, message: 'the hub dropped the leavers' }).toBeTruthy();

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
    await expect.poll(() => gateway.hub.stats().batchPollers === 0, { ...LIVE_WAIT, message: 'the poller stopped' }).toBeTruthy();
  });

  it('stops polling after the last subscriber leaves', async () => {
    const { emulator, gateway, wsUrl } = await setup(100);
    const batch = scriptBatch(emulator, 100);
    const [first, second] = [client(wsUrl), client(wsUrl)];
    const watches = [subscribe(first, PROGRESS, { id: batch.id }), subscribe(first, PROGRESS, { id: batch.id }), subscribe(second, PROGRESS, { id: batch.id })];
    await expect.poll(() => batchPolls(emulator, batch.nativeId) >= 3, { ...LIVE_WAIT, message: 'polls have started' }).toBeTruthy();

    watches[0]!.unsubscribe();
    await first.dispose();
    await expect.poll(() => gateway.hub.stats().subscribers === 1, { ...LIVE_WAIT, message: 'one subscriber is left' }).toBeTruthy();
    expect(gateway.hub.stats().batchPollers).toBe(1);
    const stillPolling = batchPolls(emulator, batch.nativeId);
    await expect.poll(() => batchPolls(emulator, batch.nativeId) > stillPolling, { ...LIVE_WAIT, message: 'the remaining subscriber is still served by polls' }).toBeTruthy();

    await second.dispose();
    await expect.poll(() => gateway.hub.stats().batchPollers === 0, { ...LIVE_WAIT, message: 'the poller stopped' }).toBeTruthy();
    expect(gateway.hub.stats()).toMatchObject({ batchPollers: 0, listPollers: 0, subscribers: 0 });
    const after = batchPolls(emulator, batch.nativeId);
    // No condition marks "no poll will come": five intervals without one show the poller is gone.
    await sleep(INTERVAL_MS * 5);
    expect(batchPolls(emulator, batch.nativeId)).toBe(after);
  });

  it('tells subscribers about a backend outage without closing, then carries them to the end', async () => {
    const { emulator, wsUrl } = await setup(100);
    const batch = scriptBatch(emulator, 4);
    const clients = [client(wsUrl), client(wsUrl)];
    const watches = clients.flatMap((each) => [subscribe(each, PROGRESS, { id: batch.id }), subscribe(each, PROGRESS, { id: batch.id })]);
    await expect.poll(() => watches.every((watch) => watch.events.length >= 2), { ...LIVE_WAIT, message: 'the batch has moved' }).toBeTruthy();

    await emulator.http.setFaults([{ fault: { kind: 'down' } }]);
    await expect.poll(() => watches.every((watch) => watch.events.some((event) => event.error)), { ...LIVE_WAIT, message: 'every subscriber heard of the outage' }).toBeTruthy();
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
    const { gateway, wsUrl, listPolls } = await setup(100);
    const watch = subscribe<{ terminal: boolean; batch: { id: string; state: string } }>(client(wsUrl), UPDATES, {
      backend: LIVE_BACKEND,
      states: ['RUNNING', 'SUCCEEDED'],
    });
    await expect.poll(() => gateway.hub.stats().listPollers === 1, { ...LIVE_WAIT, message: 'the list poller runs' }).toBeTruthy();

    const start = async (controllerStrId: string) => {
      const response = await postGraphQL(gateway.url, 'mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id state } } }', {
        input: { backend: LIVE_BACKEND, slv: { commissionController: { controllerStrId, flags: 5 } } },
      });
      expect(response.body.errors).toBeUndefined();
      return response.body.data.startBatch.batch as { id: string; state: string };
    };
    const good = await start('updates-ok');
    const failing = await start('offline-updates');

    await expect.poll(() => watch.events.some((event) => event.batch.id === good.id && event.batch.state === 'SUCCEEDED'), { ...LIVE_WAIT, message: 'the good batch succeeded' }).toBeTruthy();
    // Wait for the failing one to end too, so a wrongly sent FAILED event would have arrived.
    await expect
      .poll(async () => (await postGraphQL(gateway.url, 'query($id: ID!) { batch(id: $id) { state } }', { id: failing.id })).body.data?.batch?.state, {
        ...LIVE_WAIT,
        message: 'the failing batch ended',
      })
      .toBe('FAILED');
    // Three more list polls: any event for the FAILED batch would have been sent by then.
    const listed = listPolls();
    await expect.poll(listPolls, LIVE_WAIT).toBeGreaterThanOrEqual(listed + 3);

    const states = (id: string) => watch.events.filter((event) => event.batch.id === id).map((event) => event.batch.state);
    expect(states(good.id)[0]).toBe('RUNNING');
    expect(states(good.id).at(-1)).toBe('SUCCEEDED');
    expect(states(good.id).filter((state) => state === 'SUCCEEDED')).toHaveLength(1);
    expect(states(failing.id)).not.toContain('FAILED');
    expect(watch.events.every((event) => ['RUNNING', 'SUCCEEDED'].includes(event.batch.state))).toBe(true);
    expect(watch.settled).toBe(false);
  });
});
