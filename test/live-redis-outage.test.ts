import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, testConfig } from './utils/gateway.js';
import { PROGRESS, backendEntry, openClient, record, scriptBatch, sleep, startLiveEmulator, waitUntil, type ProgressEvent } from './utils/live.js';
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
    const config = testConfig({
      polling: { intervalMs: 100, maxIntervalMs: 400, listIntervalMs: 100 },
      redis: { url: redis.url, keyPrefix: redis.prefix() },
      backends: [backendEntry(emulator)],
    });
    cleanups.push(() => config.cleanup());
    const gateway = await startTestGateway(config);
    cleanups.push(() => gateway.close());

    const batch = scriptBatch(emulator, 6);
    const client = openClient(gateway.url.replace(/^http/, 'ws'));
    cleanups.push(() => client.dispose());
    const subscription = record<ProgressEvent>(client, PROGRESS, { id: batch.id });
    await waitUntil('the first event', () => subscription.events.length > 0);

    await redis.stop();
    await sleep(300);
    expect(await subscription.done).toBe('complete');
    expect(subscription.events.filter((event) => event.terminal)).toHaveLength(1);
    expect(subscription.events.at(-1)?.batch.state).toBe('SUCCEEDED');
  });
});
