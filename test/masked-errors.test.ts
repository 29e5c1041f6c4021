import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway.js';
import { createMemoryBackend } from './utils/memory-backend.js';
import { memoryLogger, startTestGateway, testConfig } from './utils/gateway.js';

/** An error the client only sees as "Internal error" is logged with its cause and the request id. */

let gateway: Gateway;
let cleanup: () => void;
const logs = memoryLogger('info');

beforeAll(async () => {
  const backend = createMemoryBackend('alpha');
  // A state outside the schema's enum: serializing it fails inside graphql-js, not in gateway code.
  backend.put('odd', 'EXPLODED' as never);
  const config = testConfig();
  cleanup = config.cleanup;
  gateway = await startTestGateway(config, { backends: [backend], logger: logs.logger });
});

afterAll(async () => {
  await gateway?.close();
  cleanup?.();
});

describe('masked internal errors', () => {
  it('are logged with their cause and the request id', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-masked-1' },
      body: JSON.stringify({ query: '{ batches { edges { node { nativeId state } } } }' }),
    });
    const body = (await response.json()) as { errors?: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors?.[0]).toMatchObject({ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const line = logs.lines.map((text) => JSON.parse(text) as Record<string, any>).find((entry) => entry['msg'] === 'internal error');
    expect(line).toMatchObject({ requestId: 'req-masked-1', err: { message: expect.stringContaining('EXPLODED') } });
  });
});
