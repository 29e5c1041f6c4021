import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/** Abuse limits: each refused with a clear error and a code, on HTTP and over graphql-ws. */

const LIMITS = {
  maxDepth: 6,
  maxAliases: 3,
  maxTokens: 100,
  maxCost: 50,
  maxBodyBytes: 4096,
  maxVariablesBytes: 256,
  maxSubscriptionsPerConnection: 2,
  maxWsMessageBytes: 2048,
  maxWsMessagesPerSecond: 5,
};

let emulators: EmulatorSet;
let gw: TestGateway;

beforeAll(async () => {
  emulators = await startEmulatorSet();
  gw = await startTestGateway({ backends: emulators.entries, limits: LIMITS }, { fastFaults: true });
});

afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

const codes = (errors: Array<{ extensions?: Record<string, unknown> }> | undefined) => (errors ?? []).map((error) => error.extensions?.['code']);

describe('document limits over HTTP', () => {
  it('refuses a query deeper than maxDepth', async () => {
    const deep = '{ batches { edges { node { executions { edges { node { steps { messages { text } } } } } } } } }';
    const response = await postGraphQL(gw.url, deep);
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    // It is costly too; every rule it breaks is reported, each as a validation failure.
    expect(new Set(codes(response.body.errors))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(response.body.errors!.some((error) => /depth limit of 6 exceeded/i.test(error.message))).toBe(true);
  });

  it('refuses more aliases than maxAliases', async () => {
    const aliased = `{ ${['a', 'b', 'c', 'd', 'e'].map((alias) => `${alias}: backends { id }`).join(' ')} }`;
    const response = await postGraphQL(gw.url, aliased);
    expect(response.status).toBe(400);
    expect(codes(response.body.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors![0]!.message).toMatch(/alias/i);
  });

  it('refuses a query that costs more than maxCost', async () => {
    const fields = 'id name state nativeStatus progress { percent completedItems totalItems failedItems message } createdAt startedAt finishedAt';
    const costly = `{ batches { edges { node { ${fields} steps { name status infoCount warningCount errorCount } } } } }`;
    const response = await postGraphQL(gw.url, costly);
    expect(response.status).toBe(400);
    expect(codes(response.body.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors![0]!.message).toMatch(/cost/i);
  });

  it('refuses a document with more than maxTokens tokens before validating it', async () => {
    const long = `{ ${Array.from({ length: 120 }, () => '__typename').join(' ')} }`;
    const response = await postGraphQL(gw.url, long);
    expect(response.status).toBe(400);
    expect(codes(response.body.errors)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(response.body.errors![0]!.message).toMatch(/tokens/i);
  });

  it('refuses a body larger than maxBodyBytes with 413', async () => {
    const response = await postGraphQL(gw.url, `{ __typename } # ${'x'.repeat(5000)}`);
    expect(response.status).toBe(413);
    expect(codes(response.body.errors)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses variables larger than maxVariablesBytes with 413, even inside the body limit', async () => {
    const response = await postGraphQL(gw.url, 'query ($id: ID!) { batch(id: $id) { id } }', { id: 'x'.repeat(1000) });
    expect(response.status).toBe(413);
    expect(codes(response.body.errors)).toEqual(['BAD_USER_INPUT']);
    expect(response.body.errors![0]!.message).toContain('256 bytes');
  });

  it('refuses oversized variables in a GET query string too', async () => {
    const query = encodeURIComponent('query ($id: ID!) { batch(id: $id) { id } }');
    const variables = encodeURIComponent(JSON.stringify({ id: 'y'.repeat(1000) }));
    const response = await fetch(`${gw.url}?query=${query}&variables=${variables}`, { headers: { 'apollo-require-preflight': 'true', accept: 'application/json' } });
    expect(response.status).toBe(413);
    expect(codes(((await response.json()) as { errors: Array<{ extensions?: Record<string, unknown> }> }).errors)).toEqual(['BAD_USER_INPUT']);
  });

  it('still answers variables under the limit', async () => {
    const response = await postGraphQL(gw.url, 'query ($id: ID!) { backend: node(id: $id) { id } }', { id: 'awsml' });
    expect(response.body).toEqual({ data: { backend: { id: 'awsml' } } });
  });
});

describe('limits over graphql-ws', () => {
  const rawSocket = async (): Promise<WebSocket> => {
    const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return socket;
  };
  const closeCode = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

  it('applies the same document rules to subscriptions', async () => {
    const client = openWsClient(gw.wsUrl);
    try {
      const deep = subscribe(client, 'subscription { batchUpdates { batch { executions { edges { node { steps { messages { text } } } } } } } }');
      expect(await deep.done).toBe('error');
      expect(new Set(codes(deep.errors as never))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
      const big = subscribe(client, 'subscription ($id: ID!) { batchProgress(id: $id) { terminal } }', { id: 'z'.repeat(1000) });
      expect(await big.done).toBe('error');
      expect(codes(big.errors as never)).toEqual(['BAD_USER_INPUT']);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a subscription beyond maxSubscriptionsPerConnection, and allows one again after another ends', async () => {
    const client = openWsClient(gw.wsUrl);
    try {
      const query = 'subscription { batchUpdates { terminal } }';
      const first = subscribe(client, query);
      const second = subscribe(client, query);
      const third = subscribe(client, query);
      expect(await third.done).toBe('error');
      expect(codes(third.errors as never)).toEqual(['BAD_USER_INPUT']);
      await expect.poll(() => gw.gateway.hub.stats().subscribers).toBe(2);
      first.unsubscribe();
      await expect.poll(() => gw.gateway.hub.stats().subscribers).toBe(1);
      const fourth = subscribe(client, query);
      // Accepted means not refused within a window: a refusal comes at once.
      const outcome = await Promise.race([fourth.done, sleep(300, 'open')]);
      expect(outcome).toBe('open');
      second.unsubscribe();
      fourth.unsubscribe();
    } finally {
      await client.dispose();
    }
  });

  it('closes a socket that sends a message larger than maxWsMessageBytes with 1009', async () => {
    const socket = await rawSocket();
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'p'.repeat(4000) } }));
    expect(await closed).toBe(1009);
  });

  it('closes a socket that sends faster than maxWsMessagesPerSecond with 1008', async () => {
    const socket = await rawSocket();
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    for (let message = 0; message < 30; message += 1) socket.send(JSON.stringify({ type: 'ping' }));
    expect(await closed).toBe(1008);
  });
});
