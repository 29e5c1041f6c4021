import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { Client as UrqlClient, fetchExchange, subscriptionExchange } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphqlStartInput, KINDS, START_BATCH, startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';

/**
 * The common GraphQL clients, from their own packages, against a running gateway: queries,
 * mutations and (Apollo Client, urql) subscriptions over graphql-ws. GET queries carry the one
 * header CSRF prevention asks for (`apollo-require-preflight`), as docs/usage.md shows.
 */

let emulators: EmulatorSet;
let server: TestGateway;
const wsClients: WsClient[] = [];

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 50 });
  server = await startTestGateway({ backends: emulators.entries }, { fastFaults: true });
});

afterAll(async () => {
  for (const client of wsClients) await client.dispose();
  await server?.close();
  await emulators?.close();
});

const BACKENDS = 'query Backends { backends { id kind } }';
const WATCH = 'subscription Watch($id: ID!) { batchProgress(id: $id) { terminal batch { id state } } }';
const startInput = (kind: keyof EmulatorSet['modules']) => ({ input: { backend: kind, ...graphqlStartInput(emulators.modules[kind]) } });

function wsClient(): WsClient {
  const client = createWsClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  wsClients.push(client);
  return client;
}

describe('Apollo Client', () => {
  it('queries, starts a batch and follows it over graphql-ws', async () => {
    const client = new ApolloClient({ link: new HttpLink({ uri: server.url }), cache: new InMemoryCache() });
    const { data } = await client.query<{ backends: Array<{ id: string }> }>({ query: gql(BACKENDS) });
    expect(data?.backends.map((backend) => backend.id).sort()).toEqual([...KINDS].sort());

    const started = await client.mutate<{ startBatch: { batch: { id: string } } }>({ mutation: gql(START_BATCH), variables: startInput('awsml') });
    const id = started.data!.startBatch.batch.id;

    const live = new ApolloClient({ link: new GraphQLWsLink(wsClient()), cache: new InMemoryCache() });
    const events: Array<{ terminal: boolean; batch: { id: string } }> = [];
    await new Promise<void>((resolve, reject) => {
      live.subscribe<{ batchProgress: (typeof events)[number] }>({ query: gql(WATCH), variables: { id } }).subscribe({
        next: (result) => (result.data ? events.push(result.data.batchProgress) : reject(new Error(JSON.stringify(result.error)))),
        error: reject,
        complete: resolve,
      });
    });
    expect(events[0]?.batch.id).toBe(id);
    expect(events.at(-1)?.terminal).toBe(true);
  });
});

describe('urql', () => {
  // urql sends queries as GET; the preflight header lets them through CSRF prevention.
  const client = () =>
    new UrqlClient({
      url: server.url,
      fetchOptions: { headers: { 'apollo-require-preflight': 'true' } },
      exchanges: [fetchExchange, subscriptionExchange({ forwardSubscription: (request) => ({ subscribe: (sink) => ({ unsubscribe: wsClient().subscribe(request as never, sink as never) }) }) })],
    });

  it('queries over GET, starts a batch and follows it over graphql-ws', async () => {
    const urql = client();
    const listed = await urql.query(BACKENDS, {}).toPromise();
    expect(listed.error).toBeUndefined();
    expect(listed.data.backends).toHaveLength(KINDS.length);

    const started = await urql.mutation(START_BATCH, startInput('slv')).toPromise();
    expect(started.error).toBeUndefined();
    const id = started.data.startBatch.batch.id as string;

    const events: Array<{ terminal: boolean }> = [];
    await new Promise<void>((resolve) => {
      const { unsubscribe } = urql.subscription(WATCH, { id }).subscribe((result) => {
        expect(result.error).toBeUndefined();
        events.push(result.data.batchProgress);
        if (result.data.batchProgress.terminal) {
          unsubscribe();
          resolve();
        }
      });
    });
    expect(events.at(-1)?.terminal).toBe(true);
  });

  it('queries over POST with preferGetMethod: false, no header needed', async () => {
    const result = await new UrqlClient({ url: server.url, preferGetMethod: false, exchanges: [fetchExchange] }).query(BACKENDS, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data.backends).toHaveLength(KINDS.length);
  });

  it('without the header, a GET query is refused as a possible CSRF and the message names the header', async () => {
    const result = await new UrqlClient({ url: server.url, exchanges: [fetchExchange] }).query(BACKENDS, {}).toPromise();
    expect(result.error?.message).toContain('apollo-require-preflight');
  });
});

describe('graphql-request', () => {
  it('queries and starts a batch over POST (its default)', async () => {
    const client = new GraphQLClient(server.url);
    const listed = await client.request<{ backends: unknown[] }>(BACKENDS);
    expect(listed.backends).toHaveLength(KINDS.length);
    const started = await client.request<{ startBatch: { batch: { state: string } } }>(START_BATCH, startInput('azureml'));
    expect(started.startBatch.batch.state).toMatch(/QUEUED|RUNNING|SUCCEEDED/);
  });

  it('queries over GET with the preflight header', async () => {
    const client = new GraphQLClient(server.url, { method: 'GET', headers: { 'apollo-require-preflight': 'true' } });
    const listed = await client.request<{ backends: unknown[] }>(BACKENDS);
    expect(listed.backends).toHaveLength(KINDS.length);
  });
});
