import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';
import { lintExposition, parseExposition } from './utils/prom-lint.js';
import { startRedis, type RedisServer } from './utils/redis.js';

/** /metrics passes promtool's lint rules and tells per backend and per replica what an operator watches. */

let emulators: EmulatorSet;
let redis: RedisServer;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  [emulators, redis] = await Promise.all([startEmulatorSet({ tickMs: 200 }), startRedis()]);
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await emulators?.close();
  await redis?.stop();
});

async function scrape(gateway: TestGateway) {
  const response = await fetch(`${gateway.origin}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

const value = (text: string, family: string, labels: Record<string, string> = {}) =>
  parseExposition(text)
    .get(family)
    ?.samples.filter((sample) => Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected))
    .reduce((sum, sample) => sum + sample.value, 0);

describe('/metrics', () => {
  it('is clean under promtool check metrics rules', async () => {
    const gateway = await startTestGateway({ backends: emulators.entries }, { fastFaults: true });
    gateways.push(gateway);
    await postGraphQL(gateway.url, 'query Listing { batches { edges { node { id } } } }');
    expect(lintExposition(await scrape(gateway))).toEqual([]);
  });

  it('flags a gauge named like a counter (the linter can fail)', () => {
    expect(lintExposition('# HELP x_total y\n# TYPE x_total gauge\nx_total 1\n')).toEqual(['x_total: non-counter metrics should not have "total" suffix']);
  });

  it('has an up gauge and the circuit state per backend', async () => {
    const gateway = await startTestGateway({ backends: [...emulators.entries, { id: 'gone', kind: 'slv', url: 'http://127.0.0.1:9/reports', username: 'u', password: 'p' } as never] }, { fastFaults: true });
    gateways.push(gateway);
    const text = await scrape(gateway);
    expect(value(text, 'batchgate_backend_up', { backend: 'slv' })).toBe(1);
    expect(value(text, 'batchgate_backend_up', { backend: 'gone' })).toBe(0);
    expect(value(text, 'batchgate_backend_circuit_state', { backend: 'slv', state: 'closed' })).toBe(1);
    expect(value(text, 'batchgate_backend_circuit_state', { backend: 'slv', state: 'open' })).toBe(0);
  });

  it('counts pollers, leases held and events relayed per replica (two replicas over Redis)', async () => {
    const keyPrefix = redis.prefix();
    const replica = () => startTestGateway({ backends: emulators.entries, redis: { url: redis.url, keyPrefix } }, { fastFaults: true });
    const replicas = [await replica(), await replica()];
    gateways.push(...replicas);
    const { id } = await startSample(replicas[0]!.url, 'azureml');
    const clients = replicas.map((replica) => openWsClient(replica.wsUrl));
    const watches = clients.map((client) => subscribe(client, 'subscription ($id: ID!) { batchProgress(id: $id) { terminal batch { state progress { percent } } } }', { id }));
    try {
      await expect
        .poll(async () => {
          const texts = await Promise.all(replicas.map(scrape));
          return {
            pollers: texts.map((text) => value(text, 'batchgate_live_pollers', { kind: 'batch' })),
            leases: texts.reduce((sum, text) => sum + (value(text, 'batchgate_live_leases_held') ?? 0), 0),
            relayed: texts.some((text) => (value(text, 'batchgate_live_events_relayed_total') ?? 0) > 0),
          };
        }, { timeout: 15_000, interval: 100 })
        .toEqual({ pollers: [1, 1], leases: 1, relayed: true });
    } finally {
      for (const watch of watches) watch.unsubscribe();
      for (const client of clients) await client.dispose();
    }
  });
});
