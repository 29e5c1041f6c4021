/**
 * `batch(id)` request path under a CPU profile, hot and cold separately: one gateway process per
 * case under `--cpu-prof`, driven by autocannon for a few seconds, then the self-time summary.
 * `--cpu-prof` covers start-up too, so the load runs long enough to dominate it.
 *
 *   node --import tsx bench/profile-request.ts [seconds]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBatchId } from '../src/core/ids.js';
import { graphqlTarget, measureThroughput } from './http-bench.js';
import { ROOT, startEmulatorProcess, startGatewayProcess } from './lib/processes.js';
import { formatProfile, summarizeProfiles } from './profile-summary.js';

const seconds = Number(process.argv[2] ?? 10);
const QUERY = 'query ($id: ID!) { batch(id: $id) { id state progress { completedItems totalItems percent } } }';

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess('azureml', 400);
  try {
    const [nativeId] = await emulator.call<string[]>({ cmd: 'seed', count: 1, records: 4, parallelCount: 2, finished: true });
    const backend = { id: 'mls', kind: 'azureml', ...emulator.connection };
    for (const [label, upstream] of [['hot', {}], ['cold', { cacheTtlMs: 0 }]] as const) {
      const dir = join(ROOT, 'bench/.profiles', `request-${label}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const gateway = await startGatewayProcess({ config: { backends: [backend], upstream }, cpuProfileDir: dir, label });
      try {
        const target = graphqlTarget(label, gateway.url, QUERY, { id: encodeBatchId('mls', nativeId!) });
        const result = await measureThroughput(target, { durationS: seconds, connections: 20, watch: { gateway: gateway.pid } });
        console.log(`${label}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, gateway CPU ${result.cpuPct['gateway']!.toFixed(0)}%`);
      } finally {
        await gateway.stop();
      }
      for (const summary of summarizeProfiles(dir, 30).slice(0, 1)) console.log(formatProfile(summary));
    }
  } finally {
    await emulator.stop();
  }
}

void main();
