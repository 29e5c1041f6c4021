/**
 * Soak: `node --import tsx bench/soak.ts [--minutes N] [--clients N]`. The gateway runs as its own
 * process (`src/main.ts --config`, as in production) against the three emulators in this process,
 * under moderate mixed load: queries and mutations from a few HTTP workers, subscriptions opened and
 * dropped all the time over churning WebSocket clients, and faults injected into one backend after
 * another. It reports the gateway's RSS and heap over time (from its own /metrics) and every
 * unexpected error: a 5xx, an error without a code, INTERNAL_SERVER_ERROR, a failed request, or a
 * socket closed by the server. Backend error codes while a fault is on are expected and only counted.
 * Exits 1 when anything unexpected happened, or RSS grew by 5 % or more (see `rssGrowth`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { backendModules } from '../src/backends/index.js';
import type { BackendKind } from '../src/core/model.js';
import type { EmulatorHandle } from '../src/backends/module.js';
import type { Fault } from '../src/backends/emulator-kit/index.js';
import { rssGrowth, type MemorySample } from './lib/soak-stats.js';
import { round1, sleep } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    clients: { type: 'string', default: '40' },
    // Minutes (comma-separated) at which the gateway writes a V8 heap snapshot into this folder.
    'heap-snapshots': { type: 'string' },
    'snapshot-dir': { type: 'string', default: 'bench/.heap' },
    // Keep the gateway's records in this Redis instead of SQLite (to tell the store's memory apart).
    'redis-url': { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const snapshotMinutes = values['heap-snapshots']?.split(',').map(Number) ?? [];
const snapshotDir = resolve(values['snapshot-dir']);
const clientCount = Number(values.clients);
const started = Date.now();
const deadline = started + minutes * 60_000;

const counts = { queries: 0, mutations: 0, subscriptions: 0, events: 0, expectedBackendErrors: 0, faultWindows: 0, clientChurn: 0 };
const unexpected: string[] = [];
const noteUnexpected = (what: string) => {
  if (unexpected.length < 50) unexpected.push(`${Math.round((Date.now() - started) / 1000)}s ${what.slice(0, 300)}`);
  else unexpected.push('');
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

// --- emulators here, the gateway in its own process --------------------------------------------
const emulators = new Map<BackendKind, EmulatorHandle>();
for (const module of backendModules) emulators.set(module.kind, await module.startEmulator({ tickMs: 250 }));
const folder = mkdtempSync(join(tmpdir(), 'batchgate-soak-'));
const configFile = join(folder, 'soak.yaml');
writeFileSync(
  configFile,
  stringify({
    store: { path: join(folder, 'store') },
    ...(values['redis-url'] ? { redis: { url: values['redis-url'], keyPrefix: `soak${process.pid}:` } } : {}),
    log: { level: 'warn' },
    polling: { intervalMs: 500, maxIntervalMs: 5000, listIntervalMs: 2000 },
    upstream: { timeoutMs: 1000, probeIntervalMs: 2000, halfOpenAfterMs: 1000 },
    backends: [...emulators].map(([kind, emulator]) => ({ id: kind, kind, ...emulator.connection })),
  }),
);
if (snapshotMinutes.length > 0) mkdirSync(snapshotDir, { recursive: true });
const snapshotFlags = snapshotMinutes.length > 0 ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : [];
// SOAK_GATEWAY_WRAPPER runs the gateway under a tool, e.g. `heaptrack` to find native allocations.
const wrapper = process.env['SOAK_GATEWAY_WRAPPER']?.split(' ').filter(Boolean) ?? [];
const gatewayArgs = [...snapshotFlags, '--import', 'tsx', 'src/main.ts', '--config', configFile];
const child = spawn(wrapper[0] ?? process.execPath, wrapper.length > 0 ? [...wrapper.slice(1), process.execPath, ...gatewayArgs] : gatewayArgs, {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += String(chunk);
    const match = /(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(output);
    if (match) resolve(match[1]!);
  });
  child.once('exit', (code) => reject(new Error(`gateway exited early (${code}): ${output}`)));
});
const origin = url.replace(/\/graphql$/, '');
const wsUrl = url.replace(/^http/, 'ws');

// --- load ------------------------------------------------------------------------------------------
const EXPECTED_UNDER_FAULT = new Set(['BACKEND_UNAVAILABLE', 'BACKEND_TIMEOUT', 'BACKEND_UNAUTHORIZED', 'BACKEND_ERROR', 'BATCH_NOT_FOUND']);
/**
 * Batches this soak started and has not cancelled yet, oldest first. Beyond `WORKING_SET` the oldest
 * is cancelled (ML Server and Amazon ML then delete it upstream), as a team's old batches get
 * cleaned up: the load is the same in the last minute as in the first, so memory that keeps
 * growing is the gateway's doing, not more work. (Until 2026-11-23 the soak kept every batch, and
 * upstream lists grew to 11,000 batches in 30 minutes.)
 */
const WORKING_SET = 120;
const batchIds: string[] = [];

async function graphql(query: string, variables?: Record<string, unknown>): Promise<any> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (response.status >= 500) noteUnexpected(`HTTP ${response.status}: ${JSON.stringify(body)}`);
    for (const error of body.errors ?? []) {
      const code = error.extensions?.code;
      if (code && EXPECTED_UNDER_FAULT.has(code)) counts.expectedBackendErrors += 1;
      else noteUnexpected(`error ${code ?? '(no code)'}: ${error.message}`);
    }
    return body.data;
  } catch (error) {
    noteUnexpected(`request failed: ${String(error)}`);
    return null;
  }
}

/** Each kind's sample start, as its `StartBatchInput` field. */
const inputs = new Map<BackendKind, Record<string, unknown>>(
  backendModules.map((module) => [module.kind, { [module.graphql.inputField]: module.fixtures.sampleGraphQLInput() }]),
);

const CANCEL = 'mutation ($id: ID!) { cancelBatch(id: $id) { batch { state } } }';

async function httpWorker(): Promise<void> {
  while (Date.now() < deadline) {
    const roll = Math.random();
    if (roll < 0.05 || batchIds.length < 5) {
      const kind = pick([...emulators.keys()]);
      const data = await graphql('mutation ($input: StartBatchInput!) { startBatch(input: $input) { batch { id } } }', { input: { backend: kind, ...inputs.get(kind) } });
      counts.mutations += 1;
      if (data?.startBatch) batchIds.push(data.startBatch.batch.id);
      if (batchIds.length > WORKING_SET) {
        await graphql(CANCEL, { id: batchIds.shift() });
        counts.mutations += 1;
      }
    } else if (roll < 0.07 && batchIds.length > 0) {
      await graphql(CANCEL, { id: pick(batchIds) });
      counts.mutations += 1;
    } else if (roll < 0.4) {
      await graphql('{ batches(first: 20) { edges { node { id state progress { percent } } } pageInfo { hasNextPage } } }');
      counts.queries += 1;
    } else if (roll < 0.5) {
      await graphql('{ backends { id healthy } }');
      counts.queries += 1;
    } else if (batchIds.length > 0) {
      await graphql('query ($id: ID!) { batch(id: $id) { id state steps { name status } executions(first: 5) { edges { node { index state } } } } }', { id: pick(batchIds) });
      counts.queries += 1;
    }
    await sleep(20 + Math.random() * 60);
  }
}

function newClient(): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const code = (event as { code?: number }).code;
        if (code !== 1000 && Date.now() < deadline) noteUnexpected(`socket closed with ${code}`);
      },
    },
  });
}

async function subscriptionWorker(): Promise<void> {
  let client = newClient();
  let uses = 0;
  while (Date.now() < deadline) {
    if (batchIds.length === 0) {
      await sleep(200);
      continue;
    }
    const updates = Math.random() < 0.1;
    const query = updates
      ? 'subscription { batchUpdates { terminal batch { id state } } }'
      : 'subscription ($id: ID!) { batchProgress(id: $id) { terminal error { code } batch { id state progress { percent } } } }';
    counts.subscriptions += 1;
    await new Promise<void>((resolve) => {
      const stop = client.subscribe(
        { query, variables: updates ? {} : { id: pick(batchIds) } },
        {
          next: (value) => {
            counts.events += 1;
            // A subscribe that fails at once (the backend is faulty) arrives as a result with errors.
            for (const error of value.errors ?? []) {
              const code = error.extensions?.['code'];
              if (typeof code === 'string' && EXPECTED_UNDER_FAULT.has(code)) counts.expectedBackendErrors += 1;
              else noteUnexpected(`subscription error ${typeof code === 'string' ? code : '(no code)'}: ${error.message}`);
            }
          },
          error: (error) => {
            const errors = Array.isArray(error) ? error : [error];
            for (const item of errors) {
              const code = (item as { extensions?: { code?: string } }).extensions?.code;
              if (code && EXPECTED_UNDER_FAULT.has(code)) counts.expectedBackendErrors += 1;
              else noteUnexpected(`subscription failed: ${JSON.stringify(item)}`);
            }
            resolve();
          },
          complete: resolve,
        },
      );
      // Leave after a while even if the batch is still running: subscribers come and go.
      setTimeout(() => {
        stop();
        resolve();
      }, 500 + Math.random() * 4000);
    });
    uses += 1;
    if (uses >= 10) {
      // Churn the connection itself too.
      await client.dispose();
      client = newClient();
      uses = 0;
      counts.clientChurn += 1;
    }
  }
  await client.dispose();
}

const FAULTS: Fault[] = [{ kind: 'down' }, { kind: 'slow', delayMs: 1500 }, { kind: 'status', status: 503 }, { kind: 'garbage' }, { kind: 'reset' }, { kind: 'unauthorized' }];
async function faultInjector(): Promise<void> {
  while (Date.now() < deadline - 15_000) {
    await sleep(10_000);
    const emulator = emulators.get(pick([...emulators.keys()]))!;
    await emulator.http.setFaults([{ fault: pick(FAULTS), rate: pick([0.2, 0.5, 1]) }]);
    counts.faultWindows += 1;
    await sleep(5000);
    await emulator.http.setFaults([]);
  }
}

// --- memory ----------------------------------------------------------------------------------------
const samples: MemorySample[] = [];
async function sampleMemory(): Promise<void> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  samples.push({
    atS: Math.round((Date.now() - started) / 1000),
    rssMiB: round1(read('batchgate_process_resident_memory_bytes')),
    heapMiB: round1(read('batchgate_nodejs_heap_size_used_bytes')),
    heapTotalMiB: round1(read('batchgate_nodejs_heap_size_total_bytes')),
    externalMiB: round1(read('batchgate_nodejs_external_memory_bytes')),
  });
}
async function memorySampler(): Promise<void> {
  while (Date.now() < deadline) {
    await sampleMemory().catch((error: unknown) => noteUnexpected(`metrics failed: ${String(error)}`));
    const last = samples.at(-1);
    if (last) process.stdout.write(`soak ${last.atS}s rss=${last.rssMiB}MiB heap=${last.heapMiB}/${last.heapTotalMiB}MiB external=${last.externalMiB}MiB queries=${counts.queries} subscriptions=${counts.subscriptions} unexpected=${unexpected.length}\n`);
    await sleep(15_000);
  }
}

async function heapSnapshots(): Promise<void> {
  for (const at of snapshotMinutes) {
    const wait = started + at * 60_000 - Date.now();
    if (wait > 0) await sleep(wait);
    process.stdout.write(`soak ${Math.round((Date.now() - started) / 1000)}s heap snapshot requested (${snapshotDir})\n`);
    child.kill('SIGUSR2');
  }
}

try {
  await Promise.all([
    heapSnapshots(),
    ...Array.from({ length: 6 }, () => httpWorker()),
    ...Array.from({ length: clientCount }, () => subscriptionWorker()),
    faultInjector(),
    memorySampler(),
  ]);
  // Let pollers settle with no load, then take the last sample.
  await sleep(5000);
  await sampleMemory();
} finally {
  child.kill('SIGTERM');
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (const emulator of emulators.values()) await emulator.close();
  rmSync(folder, { recursive: true, force: true });
  const growth = rssGrowth(samples, minutes);
  const warm = samples.find((sample) => sample.atS >= growth.warmupS) ?? samples[0]!;
  const last = samples.at(-1)!;
  const summary = {
    minutes,
    subscriberClients: clientCount,
    ...counts,
    unexpectedErrors: unexpected.length,
    rssMiB: growth,
    heapMiB: { afterWarmup: warm.heapMiB, end: last.heapMiB, growth: round1(last.heapMiB - warm.heapMiB) },
    gatewayExitCode: exitCode,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (unexpected.length > 0) process.stdout.write(`unexpected:\n${unexpected.filter(Boolean).join('\n')}\n`);
  process.stdout.write(`RSS growth ${growth.growthPct} % (goal < 5 %), unexpected errors ${unexpected.length} (goal 0), gateway exit ${exitCode}\n`);
  process.exitCode = unexpected.length > 0 || exitCode !== 0 || growth.growthPct >= 5 ? 1 : 0;
}
