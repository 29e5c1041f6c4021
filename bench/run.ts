/**
 * `npm run bench` (quick, under 3 minutes) and `npm run bench -- --full`: every figure of the
 * benchmark issue against its goal, side by side in one run. Emulator, gateways, peer gateway and
 * WebSocket clients each run in their own process; CPU of each is printed.
 *
 * Options: `--full` (longer windows, N = 100/1,000/10,000), `--profile DIR` (gateway, and Redis replicas in DIR/replicas, under
 * `--cpu-prof`, summary printed), `--no-peer`, `--no-redis`. For small targeted runs while
 * working on one path: `--only http,live,naive,redis` (sections to run) and `--subscribers 10000`
 * (comma-separated N for the live section and Redis).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeBatchId } from '../src/core/ids.js';
import { compareLatency, graphqlTarget, measureCoalescing, measureThroughput, withCpu, type Target } from './http-bench.js';
import { runLiveBench, type LiveBenchResult } from './live-bench.js';
import { runNaiveBaseline } from './naive-baseline.js';
import { azureMlBatchUrl, azureMlToken } from './lib/http.js';
import { ROOT, startEmulatorProcess, startGatewayProcess, stopChild, type GatewayProcess } from './lib/processes.js';
import { summarizeProfiles } from './profile-summary.js';
import { mib, sleep } from './lib/stats.js';
import { createReport } from './report.js';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
    'no-redis': { type: 'boolean', default: false },
    only: { type: 'string' },
    subscribers: { type: 'string' },
  },
});
const full = values.full;
const sections = new Set((values.only ?? 'http,live,naive,redis').split(','));
const chosenCounts = values.subscribers?.split(',').map(Number);
const K = 100;
const INTERVAL_MS = 1000;
const plan = {
  // The quick pass stays under 3 minutes: opening 10,000 sockets alone takes a minute or more here.
  subscriberCounts: chosenCounts ?? (full ? [100, 1_000, 10_000] : [1_000, 3_000]),
  windowMs: full ? 20_000 : 5_000,
  latencyIterations: full ? 3_000 : 500,
  // Each round takes 4 × 20 ms and more: the quick pass keeps it to about 10 s.
  realisticIterations: full ? 1_000 : 100,
  throughputS: full ? 15 : 3,
  workers: 4,
};
/** Added to every upstream answer for the "realistic upstream" figures, as a network would. */
const UPSTREAM_LATENCY_MS = 20;
const QUERY = 'query ($id: ID!) { batch(id: $id) { id state progress { completedItems totalItems percent } } }';
const report = createReport();
const cleanups: Array<() => Promise<void>> = [];

async function main(): Promise<void> {
  console.log(`batchgate bench (${full ? 'full' : 'quick'}): ${cpus().length} cores, ${mib(totalmem())} RAM, node ${process.version}`);
  const emulator = await startEmulatorProcess('azureml', 400);
  cleanups.push(() => emulator.stop());
  // K live batches (seed indexes 0..K-1) that move one record every tick or two for the whole run,
  // then small finished ones with a fixed answer for request figures.
  const live = await emulator.call<string[]>({ cmd: 'seed', count: K, records: 3000, parallelCount: 1 });
  const fixed = await emulator.call<string[]>({ cmd: 'seed', count: 4, records: 4, parallelCount: 2, finished: true });
  const backend = { id: 'mls', kind: 'azureml', ...emulator.connection };
  const gatewayConfig = (extra: Record<string, unknown> = {}) => ({ polling: { intervalMs: INTERVAL_MS }, backends: [backend], ...extra });
  const profileDir = values.profile ? join(ROOT, values.profile) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const main = await startGatewayProcess({ config: gatewayConfig(), cpuProfileDir: profileDir, label: 'gateway (cache on)' });
  cleanups.push(() => main.stop());
  const token = await azureMlToken(emulator.url, emulator.connection);
  const batchId = (nativeId: string) => encodeBatchId('mls', nativeId);
  const direct = (nativeId: string): Target => ({ label: 'upstream GET direct', url: azureMlBatchUrl(emulator.url, nativeId), headers: { authorization: token } });

  if (sections.has('http')) await requestFigures(main, emulator, fixed, gatewayConfig, direct, batchId, token);

  // --- Live figures ---------------------------------------------------------------------------
  const ids = live.map(batchId);
  const results: LiveBenchResult[] = [];
  for (const subscribers of sections.has('live') ? plan.subscriberCounts : []) {
    const result = await runLiveBench({ gateways: [main], emulator, ids, subscribers, workers: plan.workers, windowMs: plan.windowMs, intervalMs: INTERVAL_MS });
    results.push(result);
    report.live(`1 gateway, N=${subscribers}`, result, K);
    await sleep(1500);
  }
  if (sections.has('naive')) {
    const naive = await runNaiveBaseline({ emulator, nativeIds: live, subscribers: 1_000, intervalMs: INTERVAL_MS, windowMs: plan.windowMs, token });
    const at1000 = results.find((result) => result.subscribers === 1_000);
    report.naive(naive, at1000 ? at1000.pollsPerInterval : Number.NaN);
  }
  // Stopping twice is harmless: the cleanup list may call it again.
  await main.stop();

  // --- Redis replicas -------------------------------------------------------------------------
  if (values['no-redis'] || !sections.has('redis')) report.notMeasured('3 replicas + Redis', 'skipped (--no-redis or --only)');
  else await redisReplicas(gatewayConfig, ids, emulator, profileDir && join(profileDir, 'replicas'));

  if (profileDir) report.profile(summarizeProfiles(profileDir, 25));
  if (profileDir && sections.has('redis') && existsSync(join(profileDir, 'replicas'))) report.profile(summarizeProfiles(join(profileDir, 'replicas'), 25));
  report.print();
}

/**
 * Sequential latency of `batch(id)` against the direct GET, the floors (bare graphql-js, Yoga) and
 * the peer, then against an upstream of realistic latency; coalescing; throughput.
 */
async function requestFigures(
  main: GatewayProcess,
  emulator: Awaited<ReturnType<typeof startEmulatorProcess>>,
  fixed: string[],
  gatewayConfig: (extra?: Record<string, unknown>) => Record<string, unknown>,
  direct: (nativeId: string) => Target,
  batchId: (nativeId: string) => string,
  token: string,
): Promise<void> {
  const cold = await startGatewayProcess({ config: gatewayConfig({ upstream: { cacheTtlMs: 0 } }), label: 'gateway (cache off)' });
  const peer = values['no-peer'] ? null : await startPeer(emulator.url, token).catch((error: Error) => (report.note(`peer gateway: ${error.message}`), null));
  // The floors of any GraphQL server here: node:http + graphql-js execute, and Yoga's defaults.
  const floors = await Promise.all(
    (
      [
        ['bare', 'bench/bare-graphql.ts'],
        ['yoga', 'bench/yoga-floor.ts'],
      ] as const
    ).flatMap(([name, script]) =>
      (['cold', 'hot'] as const).map(async (mode) => ({ name, mode, ...(await startHelper(script, { upstream: direct(fixed[0]!).url, authorization: token, mode })) })),
    ),
  );
  const id = { id: batchId(fixed[0]!) };
  const [service, version, executionId] = fixed[0]!.split('/');
  const peerTarget = peer
    ? graphqlTarget(
        'Hive Gateway (Mesh), one upstream GET',
        peer.url,
        'query ($s: String!, $v: String!, $id: String!) { batch(service: $s, version: $v, id: $id) { state completedItemCount totalItemCount } }',
        { s: service, v: version, id: executionId },
        'hive',
      )
    : null;
  const floorTarget = (floor: (typeof floors)[number], variables = id) =>
    graphqlTarget(`${floor.name === 'bare' ? 'bare graphql-js' : 'Yoga'} floor, ${floor.mode === 'cold' ? 'one upstream GET' : 'no upstream'}`, floor.url, QUERY, variables, `${floor.name}-${floor.mode}`);
  const coldTarget = graphqlTarget('batchgate batch(id), cache off', cold.url, QUERY, id, 'cold');
  const watch = {
    'gateway (cache off)': cold.pid,
    'gateway (cache on)': main.pid,
    emulator: emulator.pid,
    bench: process.pid,
    ...Object.fromEntries(floors.map((floor) => [`${floor.name} ${floor.mode}`, floor.pid])),
    ...(peer ? { peer: peer.pid } : {}),
  };
  const latency = await withCpu(watch, () =>
    compareLatency(
      [
        { ...direct(fixed[0]!), role: 'direct' },
        coldTarget,
        graphqlTarget('batchgate batch(id), hot', main.url, QUERY, id, 'hot'),
        ...floors.map((floor) => floorTarget(floor)),
        ...(peerTarget ? [peerTarget] : []),
      ],
      plan.latencyIterations,
    ),
  );
  report.latency(latency.result, latency.cpuPct);

  // Across a network: every upstream answer waits UPSTREAM_LATENCY_MS, for the direct GET too.
  await emulator.call({ cmd: 'latency', ms: UPSTREAM_LATENCY_MS });
  const coldFloors = floors.filter((floor) => floor.mode === 'cold');
  const realistic = await withCpu(watch, () =>
    compareLatency([{ ...direct(fixed[0]!), role: 'direct' }, coldTarget, ...coldFloors.map((floor) => floorTarget(floor))], plan.realisticIterations, 20),
  ).finally(() => emulator.call({ cmd: 'latency', ms: 0 }));
  report.realistic(realistic.result, realistic.cpuPct, UPSTREAM_LATENCY_MS);

  const coalesced = await measureCoalescing(graphqlTarget('500 identical', main.url, QUERY, { id: batchId(fixed[2]!) }), emulator, K + 2, 500);
  const coalescedCold = await measureCoalescing(graphqlTarget('500 identical', cold.url, QUERY, { id: batchId(fixed[3]!) }), emulator, K + 3, 500);
  report.coalescing(coalesced, coalescedCold);
  await cold.stop();

  const throughputWatch = { gateway: main.pid, emulator: emulator.pid, bench: process.pid };
  const throughput = [await measureThroughput(graphqlTarget('batchgate batch(id) hot', main.url, QUERY, { id: batchId(fixed[1]!) }), { durationS: plan.throughputS, connections: 50, watch: throughputWatch })];
  throughput.push(await measureThroughput(direct(fixed[1]!), { durationS: plan.throughputS, connections: 50, watch: throughputWatch }));
  if (peer && peerTarget) throughput.push(await measureThroughput(peerTarget, { durationS: plan.throughputS, connections: 50, watch: { ...throughputWatch, peer: peer.pid } }));
  for (const floor of floors.filter((candidate) => candidate.mode === 'hot')) {
    throughput.push(
      await measureThroughput(floorTarget(floor, { id: batchId(fixed[1]!) }), {
        durationS: plan.throughputS,
        connections: 50,
        watch: { ...throughputWatch, [floor.name]: floor.pid },
      }),
    );
  }
  report.throughput(throughput);
  if (peer) await stopChild(peer.child);
  for (const floor of floors) await stopChild(floor.child);
}

async function redisReplicas(
  gatewayConfig: (extra?: Record<string, unknown>) => Record<string, unknown>,
  ids: string[],
  emulator: Awaited<ReturnType<typeof startEmulatorProcess>>,
  cpuProfileDir: string | undefined,
): Promise<void> {
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  cleanups.push(() => stopChild(redis));
  await sleep(300);
  const replicas: GatewayProcess[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      const replica = await startGatewayProcess({ config: gatewayConfig({ redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: 'bench:' } }), cpuProfileDir, label: `replica ${i + 1}` });
      replicas.push(replica);
      cleanups.push(() => replica.stop());
    }
  } catch (error) {
    report.notMeasured('3 replicas + Redis', `Redis mode did not start: ${(error as Error).message.split('\n')[0]!.slice(0, 160)}`);
    return;
  }
  const subscribers = chosenCounts ? Math.max(...chosenCounts) : full ? 10_000 : 1_000;
  const result = await runLiveBench({ gateways: replicas, emulator, ids, subscribers, workers: plan.workers, windowMs: plan.windowMs, intervalMs: INTERVAL_MS, watch: { redis: redis.pid! } });
  report.live(`3 replicas + Redis, N=${subscribers}`, result, K, 400);
}

const startPeer = (url: string, authorization: string) => startHelper('bench/peer-gateway.ts', { url, authorization });

/** A helper server process (peer gateway, bare graphql-js) that prints its `http://…/graphql` URL. */
async function startHelper(script: string, argument: Record<string, unknown>): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), JSON.stringify(argument)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => stopChild(child));
  const line = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr.slice(0, 300)}`)));
  });
  return { url: /http:\S+\/graphql/.exec(line)![0], pid: child.pid!, child };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function cleanup(): Promise<void> {
  for (const dispose of cleanups.reverse()) await dispose().catch(() => undefined);
  cleanups.length = 0;
}

process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup();
    process.exit(1);
  });

