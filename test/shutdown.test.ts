import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { backendModules } from '../src/backends/index.js';
import { waitForUrlLine } from './utils/gateway-process.js';
import { startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/**
 * Graceful shutdown of the real process: `node --import tsx src/main.ts --config <file>` on PORT=0,
 * stopped by a signal while a subscription is open and a slow request is in flight.
 */

let emulators: EmulatorSet;
let folder: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  // Batches never move on their own: the subscription stays open until the gateway closes it.
  emulators = await startEmulatorSet({ tickMs: 600_000 });
  folder = mkdtempSync(join(tmpdir(), 'batchgate-shutdown-'));
});

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

afterAll(async () => {
  await emulators?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Starts the gateway process and resolves with its URL once it printed the contract's ready line. */
async function startProcess(name: string, options: { embedded?: boolean } = {}): Promise<{ child: ChildProcess; url: string; exited: Promise<{ code: number | null; signal: string | null }> }> {
  const configFile = join(folder, `${name}.yaml`);
  writeFileSync(
    configFile,
    stringify({
      store: { path: join(folder, `${name}-store`) },
      log: { level: 'warn' },
      upstream: { timeoutMs: 10_000 },
      backends: emulators.entries,
    }),
  );
  const args = options.embedded ? [] : ['--config', configFile];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', BATCHGATE_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await waitForUrlLine(child);
  return { child, url, exited };
}

describe.each(['SIGTERM', 'SIGINT'] as const)('on %s', (signal) => {
  it('finishes the in-flight request, closes subscriptions with 1001 and exits 0', { timeout: 30_000 }, async () => {
    const { child, url, exited } = await startProcess(signal.toLowerCase());
    const { id } = await startSample(url, 'awsml');

    const client = openWsClient(url.replace(/^http/, 'ws'));
    try {
      const subscription = subscribe(client, 'subscription ($id: ID!) { batchProgress(id: $id) { terminal batch { id } } }', { id });
      await expect.poll(() => subscription.events.length, { timeout: 10_000, interval: 100 }).toBeGreaterThan(0);

      // A read the backend takes its time with, caught mid-flight by the signal.
      const http = emulators.byKind.awsml.http;
      await http.setFaults([{ fault: { kind: 'slow', delayMs: 1500 } }]);
      const before = http.count();
      const inFlight = postGraphQL(url, 'query ($id: ID!) { batch(id: $id) { id } }', { id });
      await expect.poll(() => http.count(), { timeout: 5000, interval: 20 }).toBeGreaterThan(before);
      child.kill(signal);

      const answer = await inFlight;
      await http.setFaults([]);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { batch: { id } } });

      const outcome = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('deadline'), 12_000))]);
      expect(outcome).toEqual({ code: 0, signal: null });
      expect(await subscription.done).toBe('error');
      expect(client.closes).toEqual([1001]);
    } finally {
      await emulators.byKind.awsml.http.setFaults([]);
      await client.dispose();
    }
  });
});

describe('the embedded default', () => {
  it('stops on SIGTERM when idle and exits 0, its emulators with it', { timeout: 30_000 }, async () => {
    const { child, url, exited } = await startProcess('embedded', { embedded: true });
    expect((await postGraphQL(url, '{ backends { id } }')).body.data?.backends).toHaveLength(backendModules.length);
    child.kill('SIGTERM');
    const outcome = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('deadline'), 12_000))]);
    expect(outcome).toEqual({ code: 0, signal: null });
  });
});
