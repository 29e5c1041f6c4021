import { Redis } from 'ioredis';

/**
 * The two connections replicas share state through: one for commands (store, leases, publish) and
 * one in subscriber mode, which Redis reserves for pub/sub. Opening fails fast when Redis does not
 * answer, instead of serving with no shared state.
 */
export interface RedisConnections {
  redis: Redis;
  subscriber: Redis;
  /** Why Redis may lose what replicas keep there (no append-only file), or null. */
  persistenceWarning: string | null;
  /** Closes both connections (after whatever uses them is disposed). */
  close(): Promise<void>;
}

export interface RedisConnectionEvents {
  /** The command connection went down after having been ready, or came back. */
  onConnection?: (state: 'lost' | 'recovered') => void;
}

export async function openRedisConnections(url: string, events: RedisConnectionEvents = {}): Promise<RedisConnections> {
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
  return {
    redis,
    subscriber,
    persistenceWarning: await persistenceWarning(redis),
    async close() {
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
