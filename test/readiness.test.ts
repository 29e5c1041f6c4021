import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { slvModule } from '../src/backends/slv/index.js';
import { graphqlStartInput, START_BATCH } from './utils/emulators.js';
import { startTestGateway } from './utils/gateway.js';
import { memoryLogger } from './utils/logs.js';
import { postGraphQL } from './utils/graphql.js';
import { LIVE_WAIT, LIVE_BACKEND, backendEntry, startLiveEmulator } from './utils/live.js';
import { startRedis } from './utils/redis.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function redisGateway(options: { appendonly?: boolean } = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-aof-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  let redis = await startRedis({ appendonly: options.appendonly, dir: folder });
  cleanups.push(() => redis.stop());
  const emulator = await startLiveEmulator(50);
  cleanups.push(() => emulator.close());
  const { logger, lines } = memoryLogger('info');
  const gateway = await startTestGateway({ redis: { url: redis.url, keyPrefix: redis.prefix() }, backends: [backendEntry(emulator)] }, { logger });
  cleanups.push(() => gateway.close());
  const origin = gateway.url.replace(/\/graphql$/, '');
  const readyz = async () => {
    const response = await fetch(`${origin}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  };
  const restart = async () => {
    redis = await startRedis({ port: redis.port, appendonly: options.appendonly, dir: folder });
  };
  const warnings = () =>
    lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40).map((line) => line.msg);
  return { gateway, redis: () => redis, restart, readyz, warnings };
}

describe('readiness and Redis outages', () => {
  it('is unready while Redis is down, logs the loss and the recovery, and fails store-backed calls fast with STORE_UNAVAILABLE', async () => {
    const { gateway, redis, restart, readyz, warnings } = await redisGateway();
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });

    await redis().stop();
    await expect.poll(async () => (await readyz()).status === 503, { ...LIVE_WAIT, timeout: 5_000, message: 'readyz 503' }).toBeTruthy();
    expect((await readyz()).body).toEqual({ status: 'unready', reason: 'record store unreachable' });
    expect(warnings().some((message) => message.startsWith('Redis connection lost'))).toBe(true);

    // A start with an idempotency key needs the store: it is refused at once, with a code of the contract.
    const began = Date.now();
    const refused = await postGraphQL(gateway.url, START_BATCH, { input: { backend: LIVE_BACKEND, idempotencyKey: 'outage-1', ...graphqlStartInput(slvModule) } });
    const seconds = (Date.now() - began) / 1000;
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('STORE_UNAVAILABLE');
    // ioredis alone would wait through its reconnect attempts (4 to 8 s were measured).
    expect(seconds).toBeLessThan(3);

    await restart();
    await expect.poll(async () => (await readyz()).status === 200, { ...LIVE_WAIT, timeout: 15_000, message: 'readyz 200 again' }).toBeTruthy();
    expect(warnings()).toContain('Redis connection recovered');
  });

  it('warns at start-up when Redis runs without appendonly, and not when it persists', async () => {
    const volatile = await redisGateway();
    expect(volatile.warnings().some((message) => message.startsWith('Redis runs without appendonly'))).toBe(true);
    const durable = await redisGateway({ appendonly: true });
    expect(durable.warnings().some((message) => message.startsWith('Redis runs without appendonly'))).toBe(false);
  });

  it('stays ready with the embedded store while every backend is down, naming them in the body', async () => {
    const emulator = await startLiveEmulator(50);
    const gateway = await startTestGateway({ backends: [backendEntry(emulator)] });
    cleanups.push(() => gateway.close());
    await emulator.close();
    await gateway.gateway.service.probeAll();
    const response = await fetch(gateway.url.replace(/\/graphql$/, '/readyz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', failed: [{ backend: LIVE_BACKEND, code: 'BACKEND_UNAVAILABLE' }] });
  });
});
