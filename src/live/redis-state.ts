import { Redis } from 'ioredis';
import { guardStore } from '../store/guarded-store.js';
import { createRedisStore } from '../store/redis-store.js';
import type { Store } from '../store/store.js';
import type { Coordinator } from './coordinator.js';
import { createRedisCoordinator } from './redis-coordinator.js';

/**
 * Everything replicas share through Redis: the records and the live coordinator. Two connections:
 * one for commands (store, leases, publish) and one in subscriber mode, which Redis reserves for
 * pub/sub. Start-up fails fast when Redis does not answer, instead of serving with no shared state.
 */
export interface RedisStateEvents {
  /** The command connection went down after having been ready, or came back. */
  onConnection?: (state: 'lost' | 'recovered') => void;
}

export async function createRedisState(
  url: string,
  keyPrefix: string,
  events: RedisStateEvents = {},
): Promise<{ store: Store; coordinator: Coordinator; dispose: () => Promise<void>; persistenceWarning: string | null }> {
  // Commands wait through short reconnects; a start-up with Redis unreachable fails after a few tries.
  const connect = () => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const redis = connect();
  const subscriber = connect();
  // ioredis reconnects by itself; while it does, commands fail and their callers handle it
  // (pollers retry, requests answer with an error). Without a listener it would print to stderr.
  for (const connection of [redis, subscriber]) connection.on('error', () => undefined);
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    // The URL may carry a password: name only where it points.
    throw new Error(`Cannot reach Redis at ${safeUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let lost = false;
  redis.on('close', () => {
    if (lost || redis.status === 'end') return;
    lost = true;
    events.onConnection?.('lost');
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    events.onConnection?.('recovered');
  });
  const store = guardStore(createRedisStore({ redis, keyPrefix }), { name: 'Redis', isConnected: () => redis.status === 'ready' });
  const coordinator = createRedisCoordinator({ redis, subscriber, keyPrefix });
  return {
    store,
    coordinator,
    persistenceWarning: await persistenceWarning(redis),
    async dispose() {
      await coordinator.dispose();
      await store.dispose();
      await Promise.all([redis, subscriber].map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };
}

function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Idempotency keys and the batches the gateway started live only in Redis when replicas share it:
 * without the append-only file a restart loses up to the last snapshot's worth of them.
 */
async function persistenceWarning(redis: Redis): Promise<string | null> {
  try {
    const info = await redis.info('persistence');
    if (/^aof_enabled:1/m.test(info)) return null;
    return 'Redis runs without appendonly: a restart of Redis loses idempotency keys and records of batches the gateway started. Set appendonly yes (see README, Redis).';
  } catch {
    // INFO may be disabled on managed services; nothing to conclude then.
    return null;
  }
}
