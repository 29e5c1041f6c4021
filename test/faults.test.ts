import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Fault } from '../src/backends/emulator-kit/index.js';
import type { RegisteredKind as BackendKind } from '../src/backends/index.js';
import { KINDS, startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';

/**
 * The fault matrix: every fault the emulators can inject, on every backend, through the real
 * gateway. Each case checks the code and backend of the error, that the other backends' data
 * still arrives in the same response, and that the gateway recovers by itself once the fault clears.
 */

const FAULTS: Array<{ name: string; fault: Fault; code: string }> = [
  { name: 'refuses connections', fault: { kind: 'down' }, code: 'BACKEND_UNAVAILABLE' },
  { name: 'answers slower than the timeout', fault: { kind: 'slow', delayMs: 1500 }, code: 'BACKEND_TIMEOUT' },
  { name: 'answers 503', fault: { kind: 'status', status: 503 }, code: 'BACKEND_UNAVAILABLE' },
  { name: 'answers garbage', fault: { kind: 'garbage' }, code: 'BACKEND_ERROR' },
  { name: 'refuses the credentials', fault: { kind: 'unauthorized' }, code: 'BACKEND_UNAUTHORIZED' },
  { name: 'resets the connection mid-body', fault: { kind: 'reset' }, code: 'BACKEND_UNAVAILABLE' },
];

/** Each kind's sample batch under its kind's alias, and the merged list, in one operation. */
const ALL_KINDS = /* GraphQL */ `
  query All(${KINDS.map((kind) => `$${kind}: ID!`).join(', ')}) {
    ${KINDS.map((kind) => `${kind}: batch(id: $${kind}) { id state backend { id } }`).join('\n    ')}
    batches(first: 100) { edges { node { id backend { id } } } }
  }
`;

let emulators: EmulatorSet;
let gw: TestGateway;
const ids = {} as Record<BackendKind, string>;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 20 });
    // No answer cache and a circuit that stays closed: each query here reaches the faulty backend.
  gw = await startTestGateway({ backends: emulators.entries, upstream: { timeoutMs: 800, cacheTtlMs: 0, failuresToOpen: 1000, probeIntervalMs: 150 } }, { fastFaults: true });
  for (const kind of KINDS) ids[kind] = (await startSample(gw.url, kind)).id;
});

afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

const query = () => postGraphQL(gw.url, ALL_KINDS, ids);

/** Waits until every backend answers again (the circuit half-opened and closed, the probe passed). */
const recovered = () =>
  vi.waitFor(
    async () => {
      const response = await query();
      const ready = (await (await fetch(`${gw.origin}/readyz`)).json()) as { failed?: unknown };
      expect([response.body.errors, ready.failed]).toEqual([undefined, undefined]);
    },
    { timeout: 10_000, interval: 100 },
  );

describe.each(KINDS)('when the %s backend fails', (kind) => {
  const others = KINDS.filter((other) => other !== kind);

  it.each(FAULTS)('$name: reports $code naming it, keeps the others, and recovers', async ({ fault, code }) => {
    await emulators.byKind[kind].http.setFaults([{ fault }]);
    try {
      const response = await query();
      expect(response.status).toBe(200);
      const errors = response.body.errors ?? [];
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error.extensions?.['code']).toBe(code);
        expect(error.extensions?.['backend']).toBe(kind);
      }
      // The failing backend's own field is null; the others' are whole.
      expect(response.body.data?.[kind]).toBeNull();
      for (const other of others) expect(response.body.data?.[other]).toMatchObject({ id: ids[other], backend: { id: other } });
      const listed = new Set((response.body.data?.batches.edges ?? []).map((edge: { node: { backend: { id: string } } }) => edge.node.backend.id));
      for (const other of others) expect(listed.has(other)).toBe(true);
    } finally {
      await emulators.byKind[kind].http.setFaults([]);
    }
    await recovered();
  });

  it('marks it unhealthy in Backend.healthy and the /readyz body while it is down, keeps the replica ready, and healthy again after', async () => {
    await emulators.byKind[kind].http.setFaults([{ fault: { kind: 'down' } }]);
    try {
      const failed = await vi.waitFor(
        async () => {
          const ready = await fetch(`${gw.origin}/readyz`);
          const body = (await ready.json()) as { status: string; failed?: Array<{ backend: string; code: string }> };
          // One backend down is the backend's problem, not this replica's: it stays in the pool.
          expect([ready.status, body.status]).toEqual([200, 'ready']);
          expect(body.failed).toBeDefined();
          return body.failed;
        },
        { timeout: 10_000, interval: 100 },
      );
      // A refused connection is BACKEND_UNAVAILABLE, unless the SDK's retries of it outlast the
      // probe's deadline first (the AWS backends on a slow machine): then BACKEND_TIMEOUT.
      expect(failed).toEqual([{ backend: kind, code: expect.stringMatching(/^BACKEND_(UNAVAILABLE|TIMEOUT)$/), message: expect.any(String) }]);
      const backends = await postGraphQL(gw.url, '{ backends { id healthy } }');
      expect(backends.body.errors).toBeUndefined();
      const health = Object.fromEntries(backends.body.data!.backends.map((backend: { id: string; healthy: boolean }) => [backend.id, backend.healthy]));
      expect(health).toEqual({ ...Object.fromEntries(others.map((other) => [other, true])), [kind]: false });
    } finally {
      await emulators.byKind[kind].http.setFaults([]);
    }
    await recovered();
    const backends = await postGraphQL(gw.url, '{ backends { id healthy } }');
    expect(backends.body.data!.backends.every((backend: { healthy: boolean }) => backend.healthy)).toBe(true);
  });
});

describe('the circuit breaker', () => {
  it('stops calling a backend after failuresToOpen failures, then lets calls through again after halfOpenAfterMs', async () => {
    const own = await startTestGateway({ backends: emulators.entries, upstream: { cacheTtlMs: 0, failuresToOpen: 2, halfOpenAfterMs: 2000, probeIntervalMs: 60_000 } }, { fastFaults: true });
    const http = emulators.byKind.awsml.http;
    const read = () => postGraphQL(own.url, `{ batch(id: "${ids.awsml}") { id } }`);
    const gets = () => http.count((request) => request.headers['x-amz-target'] === 'AmazonML_20141212.GetBatchPrediction');
    try {
      await http.setFaults([{ fault: { kind: 'status', status: 503 } }]);
      http.clearRequests();
      for (let call = 0; call < 2; call += 1) expect((await read()).body.errors?.[0]?.extensions?.['code']).toBe('BACKEND_UNAVAILABLE');
      const before = gets();
      expect(before).toBeGreaterThanOrEqual(2);
      // Open: refused at once, without an upstream call, and the backend shows as unhealthy.
      const refused = await read();
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BACKEND_UNAVAILABLE', backend: 'awsml' });
      expect(gets()).toBe(before);
      expect((await postGraphQL(own.url, '{ backends { id healthy } }')).body.data?.backends).toContainEqual({ id: 'awsml', healthy: false });
      await http.setFaults([]);
      await expect.poll(async () => (await read()).body.data?.batch, { timeout: 6000, interval: 100 }).toEqual({ id: ids.awsml });
    } finally {
      await http.setFaults([]);
      await own.close();
    }
  });
});
