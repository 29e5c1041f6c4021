import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway } from './utils/gateway.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';
import { LIVE_WAIT, PROGRESS, backendEntry, scriptBatch, startLiveEmulator, type ProgressEvent } from './utils/live.js';
import { startRedis } from './utils/redis.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe('Redis mode when Redis goes away', () => {
  it('keeps subscribers’ progress moving to the terminal event while Redis is down', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const emulator = await startLiveEmulator(50);
    cleanups.push(() => emulator.close());
    const gateway = await startTestGateway({
      polling: { intervalMs: 100, maxIntervalMs: 400, listIntervalMs: 100 },
      redis: { url: redis.url, keyPrefix: redis.prefix() },
      backends: [backendEntry(emulator)],
    });
    cleanups.push(() => gateway.close());

    const batch = scriptBatch(emulator, 6);
    const client = openWsClient(gateway.wsUrl, { lazy: false });
    cleanups.push(() => client.dispose());
    const subscription = subscribe<ProgressEvent>(client, PROGRESS, { id: batch.id });
    await expect.poll(() => subscription.events.length > 0, { ...LIVE_WAIT, message: 'the first event' }).toBeTruthy();

    await redis.stop();
    expect(await subscription.done).toBe('complete');
    expect(subscription.events.filter((event) => event.terminal)).toHaveLength(1);
    expect(subscription.events.at(-1)?.batch.state).toBe('SUCCEEDED');
  });
});
