import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../src/live/events.js';
import { createRedisCoordinator, type RedisCoordinator } from '../src/live/redis-coordinator.js';
import { deriveSource, recordSource } from '../src/core/source-digest.js';
import { fingerprint } from '../src/live/fingerprint.js';
import { sampleBatch } from './store-suite.js';
import { startRedis, type RedisServer } from './utils/redis.js';
import { LIVE_WAIT } from './utils/live.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Two replicas' coordinators on one prefix, each with its own pair of connections. */
function replicas(keyPrefix = redis.prefix()): [RedisCoordinator, RedisCoordinator] {
  const make = (ownerId: string) => createRedisCoordinator({ redis: redis.client(), subscriber: redis.client(), keyPrefix, ownerId });
  return [make('host:1:a'), make('host:2:b')];
}

describe('Redis coordinator', () => {
  it('grants a lease to one replica at a time and lets only the owner renew or release it', async () => {
    const [a, b] = replicas();
    // Asked at once, exactly one wins (which one depends on whose connection is ready first).
    const both = await Promise.all([a.acquire('race', 5_000), b.acquire('race', 5_000)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await a.acquire('k', 5_000)).toBe(true);
    expect(await b.acquire('k', 5_000)).toBe(false);
    expect(await a.acquire('k', 5_000)).toBe(true);
    await b.release('k');
    expect(await b.acquire('k', 5_000)).toBe(false);
    await a.release('k');
    expect(await b.acquire('k', 5_000)).toBe(true);
    expect(await a.acquire('k', 5_000)).toBe(false);
  });

  it('frees the lease of an owner that stops renewing once its time is up', async () => {
    const [a, b] = replicas();
    expect(await a.acquire('k', 100)).toBe(true);
    expect(await b.acquire('k', 100)).toBe(false);
    await expect.poll(() => b.acquire('k', 100), { ...LIVE_WAIT, message: 'the lease expired' }).toBeTruthy();
    // The old owner cannot extend what is no longer its own.
    expect(await a.acquire('k', 100)).toBe(false);
  });

  it('grants a poll turn only to the lease holder, at most once per spacing, checked in Redis', async () => {
    const [a, b] = replicas();
    expect(await a.acquire('k', 5_000)).toBe(true);
    expect(await a.claimPoll('k', 300)).toBe('poll');
    // A second poll within the spacing waits for the rest of it.
    const wait = await a.claimPoll('k', 300);
    expect(typeof wait === 'number' && wait > 0 && wait <= 300).toBe(true);
    // Not the holder: no turn, whatever its own clock says.
    expect(await b.claimPoll('k', 300)).toBe('not-holder');
    await expect.poll(async () => (await a.claimPoll('k', 300)) === 'poll', { ...LIVE_WAIT, message: 'the spacing ran out' }).toBeTruthy();

    // A holder that stalled past its lease finds it taken, and may not poll next to the new holder.
    expect(await a.acquire('s', 100)).toBe(true);
    await expect.poll(() => b.acquire('s', 5_000), { ...LIVE_WAIT, message: 'b took the expired lease' }).toBeTruthy();
    expect(await a.claimPoll('s', 300)).toBe('not-holder');
    expect(await b.claimPoll('s', 300)).toBe('poll');
  });

  it("delivers other replicas' events with dates revived, and never a replica's own", async () => {
    const keyPrefix = redis.prefix();
    const [a, b] = replicas(keyPrefix);
    const atA: LiveEvent[] = [];
    const atB: LiveEvent[] = [];
    const offA = a.subscribe('batch:1', (event) => atA.push(event));
    const offB = b.subscribe('batch:1', (event) => atB.push(event));
    b.subscribe('batch:2', (event) => atB.push(event));
    // SUBSCRIBE is asynchronous; events published before it lands are not replayed.
    const probe = redis.client();
    const subscribers = () => probe.pubsub('NUMSUB', `${keyPrefix}live:batch:1`, `${keyPrefix}live:batch:2`);
    await expect.poll(subscribers, LIVE_WAIT).toEqual([`${keyPrefix}live:batch:1`, 2, `${keyPrefix}live:batch:2`, 1]);

    const event: LiveEvent = { batch: sampleBatch('1'), terminal: false, error: null };
    await a.publish('batch:1', event);
    await a.publish('batch:3', event);
    await expect.poll(() => atB.length === 1, { ...LIVE_WAIT, message: 'b received the event' }).toBeTruthy();
    expect(atB[0]).toEqual(event);
    expect(atB[0]!.batch.createdAt).toBeInstanceOf(Date);

    // The receiver takes the sender's change digest with the batch, even where it could not compute
    // the same one itself (here the executions carry the digest of the body they were mapped from).
    const mapped = sampleBatch('2');
    recordSource(mapped, 'upstream body');
    deriveSource(mapped.executions, mapped);
    const digested: LiveEvent = { batch: mapped, terminal: false, error: null };
    await a.publish('batch:1', digested);
    await expect.poll(() => atB.length === 2, { ...LIVE_WAIT, message: 'b received the second event' }).toBeTruthy();
    expect(fingerprint(atB[1]!.batch)).toBe(fingerprint(mapped));
    atB.pop();

    await b.publish('batch:1', { ...event, terminal: true });
    await expect.poll(() => atA.length === 1, { ...LIVE_WAIT, message: 'a received the event' }).toBeTruthy();
    expect(atA[0]!.terminal).toBe(true);
    // Redis delivers in order on a connection: once a later event of a's reaches b, b's own echo would have too.
    await a.publish('batch:1', event);
    await expect.poll(() => atB.length, LIVE_WAIT).toBe(2);
    expect(atB.map((received) => received.terminal)).toEqual([false, false]);
    offA();
    offB();
  });
});
