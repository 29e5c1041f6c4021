import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KINDS, startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe, wsHandshake } from './utils/subscriptions.js';

/** Client authentication, CSRF prevention and CORS, over real HTTP and WebSockets. */

const TOKEN = 'client-token-for-security-tests';
const BEARER = { authorization: `Bearer ${TOKEN}` };
const ALLOWED_ORIGIN = 'https://dashboard.example';

let emulators: EmulatorSet;
let secured: TestGateway;
let open: TestGateway;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 20 });
  secured = await startTestGateway({ backends: emulators.entries, auth: { tokens: ['another-valid-token', TOKEN] }, cors: { origins: [ALLOWED_ORIGIN] } }, { fastFaults: true });
  open = await startTestGateway({ backends: emulators.entries }, { fastFaults: true });
});

afterAll(async () => {
  await secured?.close();
  await open?.close();
  await emulators?.close();
});

describe('client tokens over HTTP', () => {
  it.each([
    ['no Authorization header', {}],
    ['an unknown token', { authorization: 'Bearer not-a-token' }],
    ['a token without the Bearer scheme', { authorization: TOKEN }],
    ['a Basic credential', { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` }],
  ])('refuses a query with %s: 401 and UNAUTHENTICATED', async (_name, headers) => {
    const response = await postGraphQL(secured.url, '{ backends { id } }', undefined, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.map((error) => error.extensions?.['code'])).toEqual(['UNAUTHENTICATED']);
  });

  it('answers a query that carries a configured token', async () => {
    const response = await postGraphQL(secured.url, '{ backends { id } }', undefined, BEARER);
    expect(response.status).toBe(200);
    expect(response.body.data?.backends.map((backend: { id: string }) => backend.id)).toEqual(KINDS);
  });

  it('refuses a GET query without a token too', async () => {
    const response = await fetch(`${secured.url}?query=${encodeURIComponent('{ backends { id } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('keeps /healthz open without a token', async () => {
    const response = await fetch(`${secured.origin}/healthz`);
    expect(response.status).toBe(200);
  });

  it('requires the token for artifact downloads', async () => {
    const { id } = await startSample(secured.url, 'azureml', {}, BEARER);
    const query = `{ batch(id: "${id}") { state executions(first: 1) { edges { node { artifacts { name url } } } } } }`;
    const artifact = await vi.waitFor(
      async () => {
        const batch = (await postGraphQL(secured.url, query, undefined, BEARER)).body.data?.batch;
        expect(batch?.state).toBe('SUCCEEDED');
        return batch.executions.edges[0].node.artifacts[0] as { name: string; url: string };
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(artifact.name).toBe('answer.csv');
    expect(artifact.url.startsWith(`${secured.origin}/artifacts/`)).toBe(true);

    const refused = await fetch(artifact.url);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const wrong = await fetch(artifact.url, { headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    await wrong.arrayBuffer();

    const allowed = await fetch(artifact.url, { headers: BEARER });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/^hp,wt,answer\n/);
  });
});

describe('client tokens over graphql-ws', () => {
  it.each([
    ['no connectionParams.authorization', undefined],
    ['an unknown token', 'Bearer nope'],
    ['the token without the Bearer scheme', TOKEN],
  ])('closes a connection with %s with code 4403', async (_name, authorization) => {
    const payload = authorization === undefined ? {} : { authorization };
    expect(await wsHandshake(secured.wsUrl, payload)).toEqual({ ack: false, code: 4403 });
  });

  it('acknowledges connection_init with a configured token', async () => {
    expect(await wsHandshake(secured.wsUrl, { authorization: `Bearer ${TOKEN}` })).toEqual({ ack: true, code: null });
  });

  it('accepts a connection with a configured token and streams the batch', async () => {
    const { id } = await startSample(secured.url, 'awsml', {}, BEARER);
    const client = openWsClient(secured.wsUrl, { authorization: `Bearer ${TOKEN}` });
    try {
      const subscription = subscribe(client, 'subscription ($id: ID!) { batchProgress(id: $id) { terminal batch { id } } }', { id });
      expect(await subscription.done).toBe('complete');
      expect(subscription.errors).toEqual([]);
      expect(subscription.events.at(-1)).toEqual({ terminal: true, batch: { id } });
    } finally {
      await client.dispose();
    }
  });
});

describe('CSRF prevention', () => {
  const query = encodeURIComponent('{ backends { id } }');

  it('refuses a simple GET without a preflight header', async () => {
    const response = await fetch(`${open.url}?query=${query}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions?: { code?: string } }> };
    expect(body.errors[0]!.extensions?.code).toBe('BAD_REQUEST');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])('refuses a simple POST sent as %s', async (type) => {
    const response = await fetch(open.url, { method: 'POST', headers: { 'content-type': type, accept: 'application/json' }, body: JSON.stringify({ query: '{ backends { id } }' }) });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions?: { code?: string } }> };
    expect(body.errors[0]!.extensions?.code).toBe('BAD_REQUEST');
  });

  it('answers a GET that carries the apollo-require-preflight header', async () => {
    const response = await fetch(`${open.url}?query=${query}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
  });

  it('answers a JSON POST (browsers must preflight it)', async () => {
    expect((await postGraphQL(open.url, '{ backends { id } }')).status).toBe(200);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });

  it('lets a configured origin call the gateway from a browser', async () => {
    const response = await preflight(secured.url, ALLOWED_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const actual = await postGraphQL(secured.url, '{ backends { id } }', undefined, { ...BEARER, origin: ALLOWED_ORIGIN });
    expect(actual.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
  });

  it('gives no CORS grant to an origin that is not configured', async () => {
    const response = await preflight(secured.url, 'https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const actual = await postGraphQL(secured.url, '{ backends { id } }', undefined, { ...BEARER, origin: 'https://evil.example' });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('grants no origin by default', async () => {
    const response = await preflight(open.url, ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("allows any origin with origins: ['*'], without credentials", async () => {
    const any = await startTestGateway({ backends: emulators.entries, cors: { origins: ['*'] } }, { fastFaults: true });
    try {
      const response = await preflight(any.url, 'https://anywhere.example');
      expect(response.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    } finally {
      await any.close();
    }
  });
});
