import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSubscriptionClient, GatewayError, query, request } from '../src/client/index.js';
import { encodeBatchId } from '../src/core/ids.js';
import * as cliDocuments from '../src/generated/client/cli/graphql.js';
import * as dashboardDocuments from '../src/generated/client/dashboard/graphql.js';
import { TestBackendsDocument, TestBatchDocument, TestBatchProgressDocument, type TestBatchProgressSubscription } from '../src/generated/client/test/graphql.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { createMemoryBackend } from './utils/memory-backend.js';

/** The one client of the CLI, the dashboard and the tests, against a real gateway and a server that is not one. */

const TOKEN = 'client-test-token';
let gateway: TestGateway;
let notGraphQL: Server;
let notGraphQLUrl: string;
const batchId = encodeBatchId('alpha', 'job-1');

beforeAll(async () => {
  const backend = createMemoryBackend('alpha');
  backend.put('job-1', 'RUNNING');
  gateway = await startTestGateway({ auth: { tokens: [TOKEN] } }, { backends: [backend] });
  notGraphQL = createServer((_request, response) => response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'));
  await new Promise<void>((resolve) => notGraphQL.listen(0, '127.0.0.1', resolve));
  notGraphQLUrl = `http://127.0.0.1:${(notGraphQL.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => notGraphQL?.close(resolve));
});

describe('request', () => {
  it('returns data and status with the bearer token', async () => {
    const result = await request(gateway.url, TestBatchDocument, { id: batchId }, { token: TOKEN });
    expect(result.status).toBe(200);
    expect(result.data?.batch).toMatchObject({ id: batchId, nativeId: 'job-1', state: 'RUNNING', backend: { id: 'alpha' } });
    expect(result.errors).toBeUndefined();
  });

  it('returns GraphQL errors with their extensions.code instead of throwing', async () => {
    const result = await request(gateway.url, TestBatchDocument, { id: 'not-a-batch-id' }, { token: TOKEN });
    expect(result.status).toBe(200);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('returns the 401 answer without a token', async () => {
    const result = await request(gateway.url, TestBackendsDocument, {});
    expect(result.status).toBe(401);
    expect(result.data ?? null).toBeNull();
  });
});

describe('the documents of the CLI and the dashboard', () => {
  it('all pass the gateway\'s validation, its cost limit included', async () => {
    const documents = Object.entries({ ...cliDocuments, ...dashboardDocuments }).filter(([name]) => name.endsWith('Document'));
    expect(documents.length).toBeGreaterThanOrEqual(9);
    for (const [name, document] of documents) {
      // Subscriptions are refused over HTTP, but only after validation.
      const result = await request(gateway.url, document as cliDocuments.TypedDocumentString<unknown, unknown>, {}, { token: TOKEN });
      const codes = (result.errors ?? []).map((error) => error.extensions?.['code']);
      expect({ name, codes }).not.toEqual({ name, codes: expect.arrayContaining(['GRAPHQL_VALIDATION_FAILED']) });
      expect({ name, codes }).not.toEqual({ name, codes: expect.arrayContaining(['GRAPHQL_PARSE_FAILED']) });
    }
  });
});

describe('query', () => {
  it('gives data, and GraphQL errors as GatewayErrors keeping the code', async () => {
    const { data } = await query(gateway.url, TestBackendsDocument, {}, { token: TOKEN });
    expect(data.backends).toEqual([expect.objectContaining({ id: 'alpha', healthy: true })]);
    const failing = await query(gateway.url, TestBatchDocument, { id: 'not-a-batch-id' }, { token: TOKEN });
    expect(failing.data.batch).toBeNull();
    expect(failing.errors[0]).toBeInstanceOf(GatewayError);
    expect(failing.errors[0]).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('throws UNAUTHENTICATED on HTTP 401, BAD_RESPONSE on a non-GraphQL answer, CONNECTION_FAILED when nobody listens', async () => {
    await expect(query(gateway.url, TestBackendsDocument, {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(query(notGraphQLUrl, TestBackendsDocument, {})).rejects.toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringContaining('HTTP 502') });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/graphql`;
    await new Promise((resolve) => closed.close(resolve));
    await expect(query(deadUrl, TestBackendsDocument, {})).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('subscriptions', () => {
  it('deliver typed events over the injected WebSocket with the token', async () => {
    const client = createSubscriptionClient(gateway.url, { webSocketImpl: WebSocket, token: () => TOKEN, retryAttempts: 0 });
    const first = await new Promise<TestBatchProgressSubscription>((resolve, reject) => {
      const stop = client.subscribe(TestBatchProgressDocument, { id: batchId }, {
        next: (data) => {
          stop();
          resolve(data);
        },
        error: reject,
        complete: () => reject(new Error('completed without an event')),
      });
    });
    await client.dispose();
    expect(first.batchProgress.batch).toEqual({ id: batchId, state: 'RUNNING' });
  });

  it('end with UNAUTHENTICATED when the gateway refuses the token, without retrying', async () => {
    const closes: number[] = [];
    const client = createSubscriptionClient(gateway.url, { webSocketImpl: WebSocket, token: 'wrong', retryAttempts: 5, onClosed: (code) => closes.push(code) });
    const error = await new Promise<GatewayError>((resolve) => {
      client.subscribe(TestBatchProgressDocument, { id: batchId }, { next: () => undefined, error: resolve, complete: () => undefined });
    });
    await client.dispose();
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(closes).toEqual([4403]);
  });
});
