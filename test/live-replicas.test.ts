import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { SlvEmulatorHandle } from '../src/backends/slv/index.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';
import { LIVE_WAIT, LIVE_BACKEND, PROGRESS, batchPolls, scriptBatch, startLiveEmulator, type ProgressEvent } from './utils/live.js';
import { waitForUrlLine } from './utils/gateway-process.js';
import { startRedis, type RedisServer } from './utils/redis.js';

const INTERVAL_MS = 200;

interface Replica {
  readonly child: ChildProcess;
  readonly wsUrl: string;
  readonly exited: Promise<void>;
}

let redis: RedisServer;
let emulator: SlvEmulatorHandle;
const folders: string[] = [];
const replicas: Replica[] = [];
const disposers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [redis, emulator] = await Promise.all([startRedis(), startLiveEmulator(100)]);
});
afterAll(async () => {
  await emulator?.close();
  await redis?.stop();
});
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
  for (const replica of replicas.splice(0)) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
    await replica.exited;
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A gateway as operators run it: `src/main.ts` in its own process, with a config file naming Redis. */
async function startReplica(keyPrefix: string): Promise<Replica> {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-replica-'));
  folders.push(folder);
  const file = join(folder, 'gateway.yaml');
  writeFileSync(
    file,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      `polling: { intervalMs: ${INTERVAL_MS}, maxIntervalMs: 800, listIntervalMs: 1000 }`,
      `store: { path: ${JSON.stringify(join(folder, 'store'))} }`,
      `redis: { url: ${JSON.stringify(redis.url)}, keyPrefix: ${JSON.stringify(keyPrefix)} }`,
      'log: { level: warn }',
      'backends:',
      `  - { id: ${LIVE_BACKEND}, kind: slv, url: ${JSON.stringify(emulator.url)}, username: admin, password: "\${SLV_PASSWORD}" }`,
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SLV_PASSWORD: String(emulator.connection['password']), NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replica = { child, exited, wsUrl: '' };
  replicas.push(replica);
  const url = await waitForUrlLine(child, { timeoutMs: 20_000 });
  return Object.assign(replica, { wsUrl: url.replace(/^http/, 'ws') });
}

function clientOf(replica: Replica) {
  const client = openWsClient(replica.wsUrl, { lazy: false });
  disposers.push(async () => {
    await client.dispose();
  });
  return client;
}

describe('two replicas on one Redis', () => {
  it('poll each batch once between them, and the survivor takes over when the poller is killed', async () => {
    const prefix = redis.prefix();
    const [first, second] = await Promise.all([startReplica(prefix), startReplica(prefix)]);
    // 4 steps × 12 ticks × 100 ms: about five seconds of progress.
    const batch = scriptBatch(emulator, 12);
    const onFirst = Array.from({ length: 5 }, () => subscribe<ProgressEvent>(clientOf(first), PROGRESS, { id: batch.id }));
    const onSecond = Array.from({ length: 5 }, () => subscribe<ProgressEvent>(clientOf(second), PROGRESS, { id: batch.id }));
    const all = [...onFirst, ...onSecond];
    await expect.poll(() => all.every((watch) => watch.events.length > 0), { ...LIVE_WAIT, message: 'every subscriber has its snapshot' }).toBeTruthy();

    // Shared polling: both replicas' subscribers move, while upstream sees one poller's polls.
    // A measured window of eight intervals: polls are counted over time, there is no condition to wait on.
    const windowStart = Date.now();
    await sleep(INTERVAL_MS * 8);
    const windowPolls = batchPolls(emulator, batch.nativeId, windowStart);
    const windowIntervals = Math.ceil((Date.now() - windowStart) / INTERVAL_MS);
    console.info(`[live figures] two replicas: ${windowPolls} upstream polls in ${windowIntervals} intervals of ${INTERVAL_MS} ms`);
    expect(windowPolls).toBeGreaterThanOrEqual(windowIntervals / 2);
    expect(windowPolls).toBeLessThanOrEqual(windowIntervals + 1);
    expect(all.every((watch) => watch.events.length >= 3)).toBe(true);

    // Kill whichever replica holds the lease, without a chance to release it.
    const admin = redis.client();
    const leaseKey = `${prefix}lease:batch:${LIVE_BACKEND}:${batch.nativeId}`;
    const owner = await admin.get(leaseKey);
    const ttl = await admin.pttl(leaseKey);
    const ownerPid = Number(owner?.split(':')[1]);
    const [holder, survivor, survivors] = ownerPid === first.child.pid ? [first, second, onSecond] : [second, first, onFirst];
    expect(holder.child.pid).toBe(ownerPid);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(INTERVAL_MS * 1.5);
    const eventsBefore = survivors.map((watch) => watch.events.length);
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await holder.exited;

    await expect.poll(() => batchPolls(emulator, batch.nativeId, killedAt) > 0, { ...LIVE_WAIT, message: 'the survivor polls' }).toBeTruthy();
    const takeoverMs = emulator.http.requests.find((request) => request.at >= killedAt && request.query.get('batchId') === batch.nativeId)!.at - killedAt;
    expect((await admin.get(leaseKey))?.split(':')[1]).toBe(String(survivor.child.pid));

    expect(await Promise.all(survivors.map((watch) => watch.done))).toEqual(survivors.map(() => 'complete'));
    const afterPolls = batchPolls(emulator, batch.nativeId, killedAt);
    const afterIntervals = Math.ceil((Date.now() - killedAt) / INTERVAL_MS);
    console.info(`[live figures] failover: first poll by the survivor ${takeoverMs} ms after SIGKILL; then ${afterPolls} polls in ${afterIntervals} intervals`);
    survivors.forEach((watch, at) => {
      expect(watch.events.length).toBeGreaterThan(eventsBefore[at]!);
      expect(watch.events.filter((event) => event.terminal)).toHaveLength(1);
      expect(watch.events.at(-1)).toMatchObject({ terminal: true, batch: { state: 'SUCCEEDED' } });
      expect(watch.errors).toEqual([]);
    });
    expect(afterPolls).toBeLessThanOrEqual(afterIntervals + 1);
  });
});
