import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Batch } from '../core/model.js';
import type { Coordinator } from './coordinator.js';
import { adoptFingerprint, fingerprint } from './fingerprint.js';
import type { LiveEvent } from './events.js';

export interface RedisCoordinatorOptions {
  /** The connection for commands (leases, publish). Not closed by `dispose`. */
  redis: Redis;
  /**
   * A connection of its own for pub/sub: once it subscribes, Redis accepts no other commands on
   * it. One per replica, shared by every watched key. Not closed by `dispose`.
   */
  subscriber: Redis;
  /** Prefix of every key and channel, so several gateways can share one Redis. @default 'batchgate:' */
  keyPrefix?: string;
  /**
   * Who this replica is in lease values. Starts with host and pid so an operator (or a test) can
   * tell which process polls a batch. @default `<hostname>:<pid>:<random>`
   */
  ownerId?: string;
}

export interface RedisCoordinator extends Coordinator {
  readonly ownerId: string;
  claimPoll(key: string, spacingMs: number): Promise<'poll' | 'not-holder' | number>;
}

/*
 * Leases are plain keys holding the owner's id, set with `SET NX PX`. Renewing and releasing must
 * check the owner and act in one step, or a replica whose lease just expired could extend or delete
 * the lease another replica has taken meanwhile: hence the two scripts.
 */
const ACQUIRE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A poll turn: only for the lease's owner (KEYS[1]), and only if no poll of the batch was claimed
 * within ARGV[2] ms (KEYS[2]). Returns -1 when the caller is not the owner, 0 to poll, else the
 * milliseconds until the previous turn runs out.
 */
const CLAIM_POLL = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
return math.max(1, redis.call('PTTL', KEYS[2]))`;

/** What travels on a channel: who sent it (to skip our own echo), the event and its batch's digest. */
interface Envelope {
  from: string;
  event: LiveEvent;
  print?: string;
}

/**
 * Leases and event fan-out between replicas through Redis. Each watched key has its own channel, so
 * a replica only receives events of batches it watches; channels are reference-counted, subscribed
 * on the first local watcher and unsubscribed after the last.
 */
export function createRedisCoordinator(options: RedisCoordinatorOptions): RedisCoordinator {
  const { redis, subscriber } = options;
  const prefix = options.keyPrefix ?? 'batchgate:';
  const ownerId = options.ownerId ?? `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  const leaseKey = (key: string) => `${prefix}lease:${readable(key)}`;
  const channelOf = (key: string) => `${prefix}live:${readable(key)}`;
  const turnKey = (key: string) => `${prefix}turn:${readable(key)}`;
  const handlers = new Map<string, Set<(event: LiveEvent) => void>>();
  let disposed = false;

  const onMessage = (channel: string, message: string) => {
    const listeners = handlers.get(channel);
    if (!listeners) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return; // not ours: another program shares the prefix
    }
    if (envelope.from === ownerId || !envelope.event?.batch) return;
    const event = { ...envelope.event, batch: reviveDates(envelope.event.batch) };
    if (typeof envelope.print === 'string') adoptFingerprint(event.batch, envelope.print);
    for (const listener of listeners) listener(event);
  };
  subscriber.on('message', onMessage);

  return {
    ownerId,
    async acquire(key, ttlMs) {
      if (disposed) return false;
      const result = await redis.eval(ACQUIRE, 1, leaseKey(key), ownerId, String(Math.max(1, Math.round(ttlMs))));
      return result === 1;
    },
    async claimPoll(key, spacingMs) {
      if (disposed) return 'not-holder';
      const result = Number(await redis.eval(CLAIM_POLL, 2, leaseKey(key), turnKey(key), ownerId, String(Math.max(1, Math.round(spacingMs)))));
      return result < 0 ? 'not-holder' : result === 0 ? 'poll' : result;
    },
    async release(key) {
      await redis.eval(RELEASE, 1, leaseKey(key), ownerId);
    },
    async publish(key, event) {
      if (disposed) return;
      const envelope: Envelope = { from: ownerId, event, print: fingerprint(event.batch) };
      await redis.publish(channelOf(key), JSON.stringify(envelope));
    },
    subscribe(key, onEvent) {
      const channel = channelOf(key);
      let listeners = handlers.get(channel);
      if (!listeners) {
        listeners = new Set();
        handlers.set(channel, listeners);
        // A missed event is not lost for good: the lease falls to this replica if the owner stops.
        subscriber.subscribe(channel).catch(() => undefined);
      }
      listeners.add(onEvent);
      return () => {
        const current = handlers.get(channel);
        if (!current?.delete(onEvent) || current.size > 0) return;
        handlers.delete(channel);
        if (!disposed) subscriber.unsubscribe(channel).catch(() => undefined);
      };
    },
    async dispose() {
      disposed = true;
      subscriber.off('message', onMessage);
      const channels = [...handlers.keys()];
      handlers.clear();
      if (channels.length > 0 && subscriber.status === 'ready') await subscriber.unsubscribe(...channels).catch(() => undefined);
    },
  };
}

/** Hub keys separate backend and native id with NUL; Redis keys read better with a colon. */
const readable = (key: string): string => key.replaceAll('\u0000', ':');

/** JSON turned the batch's dates into strings; subscribers' resolvers expect Dates. */
function reviveDates(batch: Batch): Batch {
  for (const field of ['createdAt', 'startedAt', 'finishedAt'] as const) {
    const value = batch[field] as unknown;
    batch[field] = typeof value === 'string' ? new Date(value) : null;
  }
  return batch;
}
