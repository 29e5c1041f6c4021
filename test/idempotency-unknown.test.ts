import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredKind as BackendKind } from '../src/backends/index.js';
import { graphqlStartInput, START_BATCH, startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { isStartRequest } from './utils/start-requests.js';

/**
 * A start whose answer is lost may have started the batch: one idempotency key never causes two
 * upstream starts. The key stays claimed as "outcome unknown"; a retry reconciles where the backend
 * can tell (ML Server: its execution list), and is refused with START_OUTCOME_UNKNOWN otherwise.
 */

let emulators: EmulatorSet;
let gw: TestGateway;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 60_000 });
  gw = await startTestGateway({ backends: emulators.entries, upstream: { timeoutMs: 500, failuresToOpen: 1000 } }, { fastFaults: true });
});

afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

const start = (kind: BackendKind, idempotencyKey: string) =>
  postGraphQL(gw.url, START_BATCH, { input: { backend: kind, idempotencyKey, ...graphqlStartInput(emulators.modules[kind]) } });
const starts = (kind: BackendKind) => emulators.byKind[kind].http.count(isStartRequest[kind]);
const codes = (response: Awaited<ReturnType<typeof start>>) =>
  (response.body.errors ?? []).map((error) => [error.extensions?.['code'], error.extensions?.['backend']]);
const START_PATH: Record<string, RegExp> = { slv: /Async$/, azureml: /^\/api\/[^/]+\/[^/]+\/batch$/ };

describe('a start whose answer is lost', () => {
  it('ML Server: the retry finds the execution that start created, and the key answers it from then on (1 upstream start)', async () => {
    const http = emulators.byKind.azureml.http;
    const key = `lost-azureml-${Date.now()}`;
    const before = starts('azureml');
    await http.setFaults([{ fault: { kind: 'drop' }, path: START_PATH['azureml'] }]);
    let first;
    try {
      first = await start('azureml', key);
    } finally {
      await http.setFaults([]);
    }
    expect(codes(first)).toEqual([['BACKEND_UNAVAILABLE', 'azureml']]);
    expect(starts('azureml') - before).toBe(1);

    const retry = await start('azureml', key);
    expect(retry.body.errors).toBeUndefined();
    const batch = retry.body.data?.startBatch.batch as { id: string; nativeId: string };
    const created = http.requests.filter(isStartRequest.azureml).at(-1)!;
    expect(batch.nativeId.startsWith(created.path.slice('/api/'.length, -'/batch'.length))).toBe(true);
    const again = await start('azureml', key);
    expect(again.body.data?.startBatch.batch.id).toBe(batch.id);
    expect(starts('azureml') - before).toBe(1);
  });

  it.each([
    ['the connection drops after the backend acted', { kind: 'drop' as const }, 'BACKEND_UNAVAILABLE'],
    ['the backend answers after the deadline', { kind: 'slow' as const, delayMs: 1500 }, 'BACKEND_TIMEOUT'],
  ])('SLV, %s: retries get START_OUTCOME_UNKNOWN and start nothing (1 upstream start)', async (_name, fault, firstCode) => {
    const http = emulators.byKind.slv.http;
    const key = `lost-slv-${fault.kind}-${Date.now()}`;
    const before = starts('slv');
    await http.setFaults([{ fault, path: START_PATH['slv'] }]);
    let first;
    try {
      first = await start('slv', key);
    } finally {
      await http.setFaults([]);
    }
    expect(codes(first)).toEqual([[firstCode, 'slv']]);
    for (let retry = 0; retry < 3; retry += 1) {
      const refused = await start('slv', key);
      expect(codes(refused)).toEqual([['START_OUTCOME_UNKNOWN', 'slv']]);
      expect(refused.body.errors?.[0]?.extensions?.['field']).toBe('idempotencyKey');
    }
    expect(starts('slv') - before).toBe(1);
  });

  it('a start refused before it was sent (connection refused) frees its key: the retry starts (1 upstream start)', async () => {
    const http = emulators.byKind.slv.http;
    const key = `refused-slv-${Date.now()}`;
    const before = starts('slv');
    await http.setFaults([{ fault: { kind: 'down' } }]);
    let first;
    try {
      // Once the probe has met the refusal, no kept-alive socket is left that could reset instead.
      await expect
        .poll(
          async () => {
            const ready = (await (await fetch(`${gw.origin}/readyz`)).json()) as { failed?: Array<{ backend: string }> };
            return ready.failed?.some((failure) => failure.backend === 'slv');
          },
          { timeout: 10_000, interval: 100 },
        )
        .toBe(true);
      first = await start('slv', key);
    } finally {
      await http.setFaults([]);
    }
    expect(codes(first)).toEqual([['BACKEND_UNAVAILABLE', 'slv']]);
    const retry = await start('slv', key);
    expect(retry.body.errors).toBeUndefined();
    expect(starts('slv') - before).toBe(1);
  });
});
