import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { memoryLogger } from './utils/logs.js';
import { createMemoryBackend } from './utils/memory-backend.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/**
 * A request whose operationName names no operation of its document (a client that sends the
 * previous tab's name with the new tab's text, as GraphiQL does right after a switch) is refused
 * alike over HTTP, WebSocket and Server-Sent Events: the same code and words, never "Internal error".
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
async function post(query: string, operationName: string | undefined): Promise<{ data?: any; errors?: unknown[] }> {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName }) });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

/** The errors each transport answers `query` under `operationName` with. */
async function refusals(query: string, operationName: string | undefined) {
  const http = await post(query, operationName);
  const ws = openWsClient(gateway.wsUrl);
  const viaWs = subscribe(ws, query, {}, operationName);
  await viaWs.done;
  await ws.dispose();
  const sse = createClient({ url: `${gateway.origin}/graphql/stream`, retryAttempts: 0 });
  const viaSse = await new Promise<unknown>((resolve) => {
    sse.subscribe({ query, ...(operationName ? { operationName } : {}) }, { next: () => undefined, error: resolve, complete: () => resolve('completed') });
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
