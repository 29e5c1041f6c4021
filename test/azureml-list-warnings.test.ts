import { afterEach, expect, it } from 'vitest';
import { startAzureMlEmulator } from '../src/backends/azureml/index.js';
import { startTestGateway } from './utils/gateway.js';
import { memoryLogger } from './utils/logs.js';
import { postGraphQL } from './utils/graphql.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

it('lists an ML Server backend whose one service refuses its batch list, with one warning in the log and a count in /metrics', async () => {
  const emulator = await startAzureMlEmulator({ tickMs: 600_000 });
  cleanups.push(() => emulator.close());
  const { logger, lines } = memoryLogger('warn');
  const gateway = await startTestGateway({ backends: [{ id: 'ml', kind: 'azureml', ...emulator.connection }] }, { logger });
  cleanups.push(() => gateway.close());

  const started = await postGraphQL(gateway.url, 'mutation { startBatch(input: { backend: "ml", azureMl: { service: "TxService", version: "1.0", records: [{ hp: 1, wt: 2 }] } }) { batch { nativeId } } }');
  const nativeId = started.body.data.startBatch.batch.nativeId as string;
  emulator.listFailures.set('Double/1.0', 403);

  for (let round = 0; round < 2; round += 1) {
    const listed = await postGraphQL(gateway.url, '{ batches(backend: "ml") { edges { node { nativeId } } } }');
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data.batches.edges.map((edge: { node: { nativeId: string } }) => edge.node.nativeId)).toEqual([nativeId]);
  }
  expect(lines.filter((line) => line.includes('Double/1.0'))).toHaveLength(1);
  const metrics = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  expect(metrics).toMatch(/batchgate_backend_warnings_total\{backend="ml",reason="list_forbidden"\} 2/);
});
