import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlStartInput, START_BATCH, startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/** Attacks over WebSocket: cross-site hijacking, mutations, deep variables. */

const ALLOWED_ORIGIN = 'https://dashboard.example';

let emulators: EmulatorSet;
let gw: TestGateway;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 20 });
  // No client tokens: the worst case, where the browser's reach is all an attacker needs.
  gw = await startTestGateway({ backends: emulators.entries, cors: { origins: [ALLOWED_ORIGIN] } }, { fastFaults: true });
});
afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

/** Opens a raw graphql-transport-ws socket with these headers: 'ack', or the HTTP status refusing the upgrade. */
function handshake(headers: Record<string, string>): Promise<'ack' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws', { headers });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.once('message', () => {
      resolve('ack');
      socket.close(1000);
    });
    socket.once('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
  });
}

const codes = (errors: unknown[]) => errors.map((error) => (error as { extensions?: { code?: string } }).extensions?.code);

describe('cross-site WebSocket hijacking', () => {
  it('refuses the upgrade from a page on an origin that cors.origins does not list', async () => {
    expect(await handshake({ origin: 'https://evil.example' })).toBe(403);
    expect(await handshake({ origin: 'null' })).toBe(403);
  });

  it('accepts the gateway’s own origin, a listed origin, and clients that send no Origin', async () => {
    expect(await handshake({ origin: gw.origin })).toBe('ack');
    expect(await handshake({ origin: ALLOWED_ORIGIN })).toBe('ack');
    expect(await handshake({})).toBe('ack');
  });

  it('refuses a mutation over the socket with an error result, and keeps the connection', async () => {
    const client = openWsClient(gw.wsUrl);
    try {
      const before = emulators.byKind.awsml.http.count((request) => request.method === 'POST');
      const mutation = subscribe(client, START_BATCH, { input: { backend: 'awsml', ...graphqlStartInput(emulators.modules.awsml) } });
      expect(await mutation.done).toBe('error');
      expect(codes(mutation.errors)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(mutation.errors)).toMatch(/over HTTP/);
      // Nothing was started upstream (reads and probes aside).
      const started = emulators.byKind.awsml.http.requests.filter((request) => String(request.headers['x-amz-target'] ?? '').endsWith('CreateBatchPrediction'));
      expect(started).toEqual([]);
      expect(emulators.byKind.awsml.http.count((request) => request.method === 'POST')).toBeGreaterThanOrEqual(before);
      const query = subscribe(client, '{ backends { id } }');
      expect(await query.done).toBe('complete');
      expect(query.events).toHaveLength(1);
      expect(client.closes).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('runs mutations over the socket when websocket.allowMutations is set', async () => {
    const allowing = await startTestGateway({ backends: emulators.entries, websocket: { allowMutations: true } }, { fastFaults: true });
    const client = openWsClient(allowing.wsUrl);
    try {
      const mutation = subscribe(client, START_BATCH, { input: { backend: 'awsml', ...graphqlStartInput(emulators.modules.awsml) } });
      expect(await mutation.done).toBe('complete');
      expect(mutation.errors).toEqual([]);
      expect(mutation.events[0].batch.id).toEqual(expect.any(String));
    } finally {
      await client.dispose();
      await allowing.close();
    }
  });
});

describe('deeply nested variables over the socket', () => {
  it('get an error result with BAD_USER_INPUT, and the connection stays open', async () => {
    // Sent as raw text: a client's own JSON.stringify would overflow on such a value.
    const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
    const messages: Array<{ id?: string; type: string; payload?: unknown }> = [];
    let closed: number | null = null;
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as never));
    socket.on('close', (code) => (closed = code));
    await new Promise((resolve) => socket.once('open', resolve));
    try {
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      await expect.poll(() => messages.some((message) => message.type === 'connection_ack'), { interval: 20, timeout: 5000 }).toBe(true);
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const query = JSON.stringify('subscription ($id: ID!) { batchProgress(id: $id) { terminal } }');
      socket.send(`{"id":"deep","type":"subscribe","payload":{"query":${query},"variables":{"id":${deep}}}}`);
      socket.send(JSON.stringify({ id: 'after', type: 'subscribe', payload: { query: '{ __typename }' } }));
      await expect.poll(() => closed !== null || messages.some((message) => message.id === 'after' && message.type === 'complete'), { interval: 20, timeout: 5000 }).toBe(true);
      const refused = messages.find((message) => message.id === 'deep');
      expect(refused?.type).toBe('error');
      expect(codes(refused?.payload as unknown[])).toEqual(['BAD_USER_INPUT']);
      expect(messages.find((message) => message.id === 'after' && message.type === 'next')?.payload).toEqual({ data: { __typename: 'Query' } });
      expect(closed).toBeNull();
    } finally {
      socket.close(1000);
    }
  });
});

describe('document field caps over the socket', () => {
  it('refuse a subscription with too many fields before validating it', async () => {
    const client = openWsClient(gw.wsUrl);
    try {
      const wide = subscribe(client, `subscription { batchUpdates { ${'terminal '.repeat(60)} } }`);
      expect(await wide.done).toBe('error');
      expect(codes(wide.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(JSON.stringify(wide.errors)).toMatch(/at most 50/);
    } finally {
      await client.dispose();
    }
  });
});
