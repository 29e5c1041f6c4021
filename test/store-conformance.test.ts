import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStore } from '../src/store/redis-store.js';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import { storeSuite } from './store-suite.js';
import { startRedis, type RedisServer } from './utils/redis.js';

let folder = '';
storeSuite({
  name: 'SQLite',
  async setup() {
    folder = mkdtempSync(join(tmpdir(), 'batchgate-store-'));
  },
  open: async () => createSqliteStore(folder),
  async teardown() {
    rmSync(folder, { recursive: true, force: true });
  },
});

let redis: RedisServer;
let prefix = '';
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

storeSuite({
  name: 'Redis',
  async setup() {
    prefix = redis.prefix();
  },
  // Each instance opens its own connection, as a restarted replica would.
  open: async () => createRedisStore({ redis: redis.url, keyPrefix: prefix }),
  async teardown() {
    const client = redis.client();
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  },
});
