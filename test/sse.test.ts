import { createClient, type Client } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlStartInput, START_BATCH, startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';

/**
 * GraphQL over Server-Sent Events at /graphql/stream (graphql-sse), with the rules of the WebSocket
 * path; a subscription sent to plain HTTP gets a 400 that names both live endpoints; a CORS
 * preflight from an origin not listed is refused the way browsers understand.
 */

let emulators: EmulatorSet;
let open: TestGateway;
let guarded: TestGateway;
const TOKEN = 'sse-test-token-0123456789';
const WATCH = 'subscription Watch($id: ID!) { batchProgress(id: $id) { terminal batch { id state } } }';

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 50 });
  open = await startTestGateway({ backends: emulators.entries }, { fastFaults: true });
  guarded = await startTestGateway({ backends: emulators.entries, auth: { tokens: [TOKEN] } }, { fastFaults: true });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await emulators?.close();
});

const streamUrl = (gateway: TestGateway) => `${gateway.origin}/graphql/stream`;

async function startBatch(gateway: TestGateway, headers: Record<string, string> = {}): Promise<string> {
  const { body } = await postGraphQL(gateway.url, START_BATCH, { input: { backend: 'awsml', ...graphqlStartInput(emulators.modules.awsml) } }, headers);
  return (body.data as { startBatch: { batch: { id: string } } }).startBatch.batch.id;
}

function collect(client: Client, query: string, variables: Record<string, unknown>) {
  const events: any[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe({ query, variables }, { next: (event) => events.push(event), error: reject, complete: resolve });
  });
  return { events, done };
}

describe('GraphQL over SSE', () => {
  it('streams a subscription to its terminal event with the graphql-sse client', async () => {
    const id = await startBatch(open);
    const client = createClient({ url: streamUrl(open), retryAttempts: 0 });
    const { events, done } = collect(client, WATCH, { id });
    await done;
    client.dispose();
    expect(events[0].data.batchProgress.batch.id).toBe(id);
    expect(events.at(-1).data.batchProgress.terminal).toBe(true);
  });

  it('needs the bearer token when auth.tokens is set', async () => {
    const refused = await fetch(streamUrl(guarded), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: '{ backends { id } }' }) });
    expect(refused.status).toBe(401);
    const id = await startBatch(guarded, { authorization: `Bearer ${TOKEN}` });
    const client = createClient({ url: streamUrl(guarded), retryAttempts: 0, headers: { authorization: `Bearer ${TOKEN}` } });
    const { events, done } = collect(client, WATCH, { id });
    await done;
    client.dispose();
    expect(events.at(-1).data.batchProgress.terminal).toBe(true);
  });

  it('refuses a browser from another origin, mutations and documents over the limits', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(streamUrl(open), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers }, body: JSON.stringify(body) });
    expect((await post({ query: '{ backends { id } }' }, { origin: 'https://evil.example' })).status).toBe(403);
    const mutation = await post({ query: 'mutation { cancelBatch(id: "x") { batch { id } } }' });
    expect(mutation.status).toBe(400);
    expect(await mutation.text()).toContain('Mutations are not accepted');
    const deep = await post({ query: `{ backends { ${'id '.repeat(5)} } ${'x: __typename '.repeat(200)} }` });
    expect(deep.status).toBe(400);
  });
});

describe('plain HTTP', () => {
  it('answers a subscription with 400 naming the WebSocket and SSE endpoints', async () => {
    const { status, body } = await postGraphQL(open.url, WATCH, { id: 'x' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain(open.wsUrl);
    expect(body.errors?.[0]?.message).toContain('/graphql/stream');
  });

  it('refuses a CORS preflight from an unlisted origin without CORS headers, and allows a listed one', async () => {
    const preflight = (gateway: TestGateway, origin: string) =>
      fetch(gateway.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const refused = await preflight(open, 'https://elsewhere.example');
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(await refused.text()).toBe('');
    const listed = await startTestGateway({ backends: emulators.entries, cors: { origins: ['https://ops.example'] } }, { fastFaults: true });
    try {
      const allowed = await preflight(listed, 'https://ops.example');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    } finally {
      await listed.close();
    }
  });
});
