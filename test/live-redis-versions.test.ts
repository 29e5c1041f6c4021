import { afterEach, describe, expect, it } from 'vitest';
import { backendModules } from '../src/backends/index.js';
import { startTestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';
import { startRedis, type RedisServer } from './utils/redis.js';
import { LIVE_WAIT } from './utils/live.js';

/**
 * Two replicas on one Redis, Redis killed mid-batch and started again on the same port: events
 * that replicas relayed late, or observed on their own while Redis was away, must not move any
 * subscriber's progress backwards, nor reach it twice in a row.
 */

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const WATCH = /* GraphQL */ `
  subscription($id: ID!) {
    batchProgress(id: $id) { terminal error { code } batch { state progress { completedItems totalItems } } }
  }
`;
interface Event {
  terminal: boolean;
  error: { code: string } | null;
  batch: { state: string; progress: { completedItems: number | null; totalItems: number | null } };
}

describe('events across a Redis outage', () => {
  it('never go backwards and never repeat on either replica', async () => {
    let redis: RedisServer = await startRedis();
    cleanups.push(() => redis.stop());
    const port = redis.port;
    const azureml = backendModules.find((module) => module.kind === 'azureml')!;
    const emulator = await azureml.startEmulator({ tickMs: 40 });
    cleanups.push(() => emulator.close());
    const prefix = redis.prefix();
    const replicas = [];
    for (let at = 0; at < 2; at += 1) {
      const gateway = await startTestGateway({
        polling: { intervalMs: 60, maxIntervalMs: 240, listIntervalMs: 200 },
        upstream: { cacheTtlMs: 0 },
        redis: { url: redis.url, keyPrefix: prefix },
        backends: [{ id: 'ml', kind: 'azureml', ...emulator.connection }],
      });
      cleanups.push(() => gateway.close());
      replicas.push(gateway);
    }

    const records = Array.from({ length: 60 }, (_, at) => ({ hp: 100 + at, wt: 2.5 }));
    const started = await postGraphQL(replicas[0]!.url, `mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id nativeId } } }`, {
      input: { backend: 'ml', azureMl: { service: 'TxService', version: '1.0', records, parallelCount: 1 } },
    });
    expect(started.body.errors).toBeUndefined();
    const id = started.body.data.startBatch.batch.id as string;
    const subscriptions = replicas.flatMap((gateway) => {
      const client = openWsClient(gateway.wsUrl, { lazy: false });
      cleanups.push(() => client.dispose());
      return [subscribe<Event>(client, WATCH, { id }), subscribe<Event>(client, WATCH, { id })];
    });
    const completed = () => Math.min(...subscriptions.map((subscription) => subscription.events.at(-1)?.batch.progress.completedItems ?? 0));
    await expect.poll(() => completed() >= 5, { ...LIVE_WAIT, message: 'some progress on every subscriber' }).toBeTruthy();

    // What replicas publish, as Redis carries it: replayed below as a replica's offline queue
    // replays its publishes after a reconnect, late and out of order.
    const listener = redis.client();
    const published: string[] = [];
    listener.on('pmessage', (_pattern, _channel, message: string) => published.push(message));
    await listener.psubscribe(`${prefix}live:*`);
    await expect.poll(() => published.length >= 3, { ...LIVE_WAIT, message: 'events published' }).toBeTruthy();
    const channel = `${prefix}live:batch:ml:${started.body.data.startBatch.batch.nativeId as string}`;

    await redis.stop();
    const whileDown = completed();
    await expect.poll(completed, { ...LIVE_WAIT, message: 'progress observed while Redis is away' }).toBeGreaterThan(whileDown);
    redis = await startRedis({ port });
    const moved = completed();
    await expect.poll(() => completed() > moved + 2, { ...LIVE_WAIT, message: 'progress after Redis came back' }).toBeTruthy();
    const replayer = redis.client();
    const stale = published.slice(0, 3).map((message) => JSON.stringify({ ...JSON.parse(message), from: 'replayed' }));
    for (const message of stale) await replayer.publish(channel, message);
    const latest = published.at(-1)!;
    await replayer.publish(channel, JSON.stringify({ ...JSON.parse(latest), from: 'replayed' }));
    await expect.poll(() => subscriptions.every((subscription) => subscription.settled), { ...LIVE_WAIT, timeout: 20_000, message: 'the end' }).toBeTruthy();

    for (const subscription of subscriptions) {
      expect(await subscription.done).toBe('complete');
      const seen = subscription.events.map((event) => event.batch.progress.completedItems ?? 0);
      expect(seen.at(-1)).toBe(60);
      // Non-decreasing, and no event equal to the one before it.
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const texts = subscription.events.map((event) => JSON.stringify(event));
      expect(texts.filter((text, at) => at > 0 && text === texts[at - 1])).toEqual([]);
      expect(subscription.events.filter((event) => event.terminal)).toHaveLength(1);
      if (process.env['FAULT_FIGURES']) console.log(seen.join(' '));
    }
  });
});
