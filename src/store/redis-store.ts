import { Redis } from 'ioredis';
import type { Batch } from '../core/model.js';
import { reviveBatch, type BatchRecord, type IdempotencyClaim, type RecordPage, type Store } from './store.js';

export interface RedisStoreOptions {
  /** A connection to share (not closed by `dispose`), or a URL to open one owned by the store. */
  redis: Redis | string;
  /** Prefix of every key, so several gateways can share one Redis. @default 'batchgate:' */
  keyPrefix?: string;
}

/*
 * Layout, under the prefix:
 *   seq                        INCR counter giving each record its place ("newest first")
 *   batch:<backend>:<native>   hash: startedAt, cancelledAt, snapshot, seq
 *   batches:<backend>          sorted set of native ids by seq (every record)
 *   cancelled:<backend>        sorted set of native ids by seq (records the gateway cancelled)
 *   idem:<key>                 hash: fingerprint, backendId, nativeId, claimedAt, outcome ("unknown")
 * The backend id cannot contain ':' (config restricts it to [a-z0-9-]+), so record keys are
 * unambiguous even when a native id contains one. Each write that reads first is one Lua script,
 * the same atomicity SQLite's statements and transactions give the embedded store.
 */

/** KEYS: record, all-set, cancelled-set, seq. ARGV: nativeId, field (startedAt|cancelledAt), now, snapshot. */
const UPSERT = `
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq'))
if not seq then
  seq = redis.call('INCR', KEYS[4])
  redis.call('HSET', KEYS[1], 'seq', seq)
  redis.call('ZADD', KEYS[2], seq, ARGV[1])
end
redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[1], 'snapshot', ARGV[4])
if ARGV[2] == 'cancelledAt' then redis.call('ZADD', KEYS[3], seq, ARGV[1]) end
return seq`;

/** KEYS: record. ARGV: snapshot. A batch the gateway never recorded is ignored. */
const UPDATE_SNAPSHOT = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'snapshot', ARGV[1]) return 1 end
return 0`;

/**
 * KEYS: idem. ARGV: fingerprint, staleAfterMs. Redis's own clock decides staleness, so replicas
 * with skewed clocks agree on when a claim is abandoned.
 */
const CLAIM = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local row = redis.call('HMGET', KEYS[1], 'fingerprint', 'backendId', 'nativeId', 'claimedAt', 'outcome')
if not row[1] then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'claimedAt', now)
  return {'claimed'}
end
if row[1] ~= ARGV[1] then return {'mismatch'} end
if row[2] and row[3] then return {'done', row[2], row[3]} end
if row[5] == 'unknown' then return {'unknown'} end
if now - tonumber(row[4]) > tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'claimedAt', now)
  return {'claimed'}
end
return {'pending'}`;

/** KEYS: idem. Marks a claimed, unfinished key "outcome unknown"; a completed or freed key is left alone. */
const MARK_UNKNOWN = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], 'nativeId') == 0 then
  return redis.call('HSET', KEYS[1], 'outcome', 'unknown')
end
return 0`;

/** KEYS: idem. Frees a claim whose start failed; a completed key stays. */
const RELEASE_CLAIM = `
if redis.call('HEXISTS', KEYS[1], 'nativeId') == 0 then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The gateway's records in Redis, shared by every replica; same semantics as the SQLite store. */
export function createRedisStore(options: RedisStoreOptions): Store {
  const owned = typeof options.redis === 'string';
  const redis = typeof options.redis === 'string' ? new Redis(options.redis, { lazyConnect: false }) : options.redis;
  const prefix = options.keyPrefix ?? 'batchgate:';
  const recordKey = (backendId: string, nativeId: string) => `${prefix}batch:${backendId}:${nativeId}`;
  const allKey = (backendId: string) => `${prefix}batches:${backendId}`;
  const cancelledKey = (backendId: string) => `${prefix}cancelled:${backendId}`;
  const idemKey = (key: string) => `${prefix}idem:${key}`;

  const upsert = async (batch: Batch, field: 'startedAt' | 'cancelledAt') => {
    const { backendId, nativeId } = batch;
    await redis.eval(
      UPSERT,
      4,
      recordKey(backendId, nativeId),
      allKey(backendId),
      cancelledKey(backendId),
      `${prefix}seq`,
      nativeId,
      field,
      new Date().toISOString(),
      JSON.stringify(batch),
    );
  };

  const toRecord = (backendId: string, nativeId: string, fields: Array<string | null>): BatchRecord | null => {
    const [startedAt, cancelledAt, snapshot, seq] = fields;
    if (seq === null || seq === undefined) return null;
    return {
      backendId,
      nativeId,
      startedAt: startedAt ?? null,
      cancelledAt: cancelledAt ?? null,
      snapshot: snapshot ? reviveBatch(snapshot) : null,
    };
  };
  const FIELDS = ['startedAt', 'cancelledAt', 'snapshot', 'seq'] as const;

  return {
    recordStarted: (batch) => upsert(batch, 'startedAt'),
    recordCancelled: (batch) => upsert(batch, 'cancelledAt'),
    async updateSnapshot(batch) {
      await redis.eval(UPDATE_SNAPSHOT, 1, recordKey(batch.backendId, batch.nativeId), JSON.stringify(batch));
    },
    async get(backendId, nativeId) {
      return toRecord(backendId, nativeId, await redis.hmget(recordKey(backendId, nativeId), ...FIELDS));
    },
    async list(backendId, { offset, limit, cancelledOnly }): Promise<RecordPage> {
      const ids = await redis.zrevrange(cancelledOnly ? cancelledKey(backendId) : allKey(backendId), offset, offset + limit);
      const page = ids.slice(0, limit);
      const pipeline = redis.pipeline();
      for (const nativeId of page) pipeline.hmget(recordKey(backendId, nativeId), ...FIELDS);
      const rows = page.length > 0 ? ((await pipeline.exec()) ?? []) : [];
      const records: BatchRecord[] = [];
      rows.forEach(([error, fields], at) => {
        if (error) throw error;
        const record = toRecord(backendId, page[at]!, fields as Array<string | null>);
        if (record) records.push(record);
      });
      return { records, next: ids.length > limit ? offset + limit : null };
    },
    async claimIdempotency(key, fingerprint, staleAfterMs): Promise<IdempotencyClaim> {
      const [status, backendId, nativeId] = (await redis.eval(CLAIM, 1, idemKey(key), fingerprint, String(staleAfterMs))) as string[];
      switch (status) {
        case 'claimed':
          return { status: 'claimed' };
        case 'done':
          return { status: 'done', backendId: backendId!, nativeId: nativeId! };
        case 'mismatch':
          return { status: 'mismatch' };
        case 'unknown':
          return { status: 'unknown' };
        default:
          return { status: 'pending' };
      }
    },
    async completeIdempotency(key, backendId, nativeId) {
      await redis.multi().hset(idemKey(key), 'backendId', backendId, 'nativeId', nativeId).hdel(idemKey(key), 'outcome').exec();
    },
    async markIdempotencyUnknown(key) {
      await redis.eval(MARK_UNKNOWN, 1, idemKey(key));
    },
    async releaseIdempotency(key) {
      await redis.eval(RELEASE_CLAIM, 1, idemKey(key));
    },
    async ping() {
      await redis.ping();
    },
    async dispose() {
      if (owned && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    },
  };
}
