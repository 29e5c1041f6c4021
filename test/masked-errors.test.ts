import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from './utils/memory-backend.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { memoryLogger } from './utils/logs.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

/**
 * An error the client only sees as "Internal error" is logged with its cause and the request id,
 * over HTTP, WebSocket and Server-Sent Events alike: no transport sends graphql-js's own words.
 */

let gateway: TestGateway;
const logs = memoryLogger('info');

beforeAll(async () => {
  const backend = createMemoryBackend('alpha');
  // A state outside the schema's enum: serializing it fails inside graphql-js, not in gateway code.
  backend.put('odd', 'EXPLODED' as never);
  gateway = await startTestGateway({}, { backends: [backend], logger: logs.logger });
});

afterAll(async () => {
  await gateway?.close();
});

describe('masked internal errors', () => {
  it('are logged with their cause and the request id', async () => {
    const { body } = await postGraphQL(gateway.url, '{ batches { edges { node { nativeId state } } } }', undefined, { 'x-request-id': 'req-masked-1' });
    expect(body.errors?.[0]).toMatchObject({ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const line = logs.lines.map((text) => JSON.parse(text) as Record<string, any>).find((entry) => entry['msg'] === 'internal error');
    expect(line).toMatchObject({ requestId: 'req-masked-1', err: { message: expect.stringContaining('EXPLODED') } });
  });

  it('are masked and logged on the live transports too', async () => {
    const QUERY = '{ batches { edges { node { nativeId state } } } }';
    const masked = { message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    const ws = openWsClient(gateway.wsUrl);
    const viaWs = subscribe(ws, QUERY);
    await viaWs.done;
    await ws.dispose();
    expect(viaWs.errors).toEqual([expect.objectContaining(masked)]);
    const sse = createClient({ url: `${gateway.origin}/graphql/stream`, retryAttempts: 0 });
    const viaSse = await new Promise<unknown>((resolve, reject) => sse.subscribe({ query: QUERY }, { next: (result) => resolve(result.errors), error: reject, complete: () => undefined }));
    sse.dispose();
    expect(viaSse).toEqual([expect.objectContaining(masked)]);
    const causes = logs.lines.map((text) => JSON.parse(text) as Record<string, any>).filter((entry) => entry['msg'] === 'internal error' && String(entry['err']?.message).includes('EXPLODED'));
    // The HTTP request above, then one for each live transport.
    expect(causes.length).toBe(3);
  });
});
