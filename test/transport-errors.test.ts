import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { memoryLogger } from './utils/logs.js';
import { createMemoryBackend } from './utils/memory-backend.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/**
 * A request the gateway cannot run is refused alike over HTTP, WebSocket and Server-Sent Events: the
 * same code and words, never "Internal error". Two kinds: an operationName that names no operation of
 * its document (a client that sends the previous tab's name with the new tab's text, as GraphiQL does
 * right after a switch), and variables that do not fit their types.
 */

let gateway: TestGateway;
const logs = memoryLogger('info');
const BATCHES = 'query Batches { backends { id } }';
const TWO = 'query A { backends { id } } query B { backends { kind } }';

beforeAll(async () => {
  gateway = await startTestGateway({}, { backends: [createMemoryBackend('alpha')], logger: logs.logger });
});
afterAll(async () => {
  await gateway?.close();
});

/** POST /graphql with an operation name, as GraphiQL sends it. */
async function post(query: string, operationName: string | undefined, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: unknown[] }> {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName, variables }) });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

/** The errors each transport answers `query` under `operationName` with (SSE: the errors of its one result, or its refusal). */
async function refusals(query: string, operationName: string | undefined, variables: Record<string, unknown> = {}) {
  const http = await post(query, operationName, variables);
  const ws = openWsClient(gateway.wsUrl);
  const viaWs = subscribe(ws, query, variables, operationName);
  await viaWs.done;
  await ws.dispose();
  const sse = createClient({ url: `${gateway.origin}/graphql/stream`, retryAttempts: 0 });
  const viaSse = await new Promise<unknown>((resolve) => {
    sse.subscribe({ query, variables, ...(operationName ? { operationName } : {}) }, { next: (result) => resolve(result.errors), error: resolve, complete: () => resolve('completed') });
  });
  sse.dispose();
  return { http: http.errors, ws: viaWs.errors, sse: viaSse };
}

describe('an operation name the document does not hold', () => {
  it('is refused over HTTP, WebSocket and SSE with OPERATION_RESOLUTION_FAILURE, and no internal error', async () => {
    const unknown = await refusals(BATCHES, 'Watch');
    const expected = { message: 'Unknown operation named "Watch".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } };
    expect(unknown.http).toEqual([expect.objectContaining(expected)]);
    expect(unknown.ws).toEqual([expect.objectContaining(expected)]);
    expect(String(unknown.sse)).toContain('Unknown operation named "Watch".');

    const unnamed = await refusals(TWO, undefined);
    const multiple = { message: 'Must provide operation name if query contains multiple operations.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } };
    expect(unnamed.http).toEqual([expect.objectContaining(multiple)]);
    expect(unnamed.ws).toEqual([expect.objectContaining(multiple)]);
    expect(String(unnamed.sse)).toContain('Must provide operation name');

    // The same document with the right name runs on every transport.
    const named = await post(BATCHES, 'Batches');
    expect(named.data?.backends).toEqual([{ id: 'alpha' }]);
    const ws = openWsClient(gateway.wsUrl);
    const viaWs = subscribe(ws, BATCHES, {}, 'Batches');
    expect(await viaWs.done).toBe('complete');
    expect(viaWs.events).toEqual([[{ id: 'alpha' }]]);
    await ws.dispose();
    expect(logs.lines.filter((line) => line.includes('internal error'))).toEqual([]);
  });
});

describe('variables that do not fit their types', () => {
  it('are refused over HTTP, WebSocket and SSE with BAD_USER_INPUT and graphql\'s words', async () => {
    const LISTING = 'query Listing($first: Int) { batches(first: $first) { edges { cursor } } }';
    const refused = await refusals(LISTING, 'Listing', { first: 'many' });
    const expected = { message: 'Variable "$first" got invalid value "many"; Int cannot represent non-integer value: "many"', extensions: { code: 'BAD_USER_INPUT' } };
    expect(refused.http).toEqual([expect.objectContaining(expected)]);
    expect(refused.ws).toEqual([expect.objectContaining(expected)]);
    expect(refused.sse).toEqual([expect.objectContaining(expected)]);

    // A subscription missing its variable: refused by both live transports the same way.
    const WATCH = 'subscription Watch($id: ID!) { batchProgress(id: $id) { terminal } }';
    const missing = await refusals(WATCH, 'Watch');
    const notProvided = { message: 'Variable "$id" of required type "ID!" was not provided.', extensions: { code: 'BAD_USER_INPUT' } };
    expect(missing.ws).toEqual([expect.objectContaining(notProvided)]);
    expect(missing.sse).toEqual([expect.objectContaining(notProvided)]);
    expect(logs.lines.filter((line) => line.includes('internal error'))).toEqual([]);
  });
});
