import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';

/** Attacks over HTTP: operational endpoints, deep variables, field caps, artifact paths, Host, echoed input, switches. */

const TOKEN = 'client-token-for-http-attacks';
const BEARER = { authorization: `Bearer ${TOKEN}` };

let emulators: EmulatorSet;
let gw: TestGateway;
let succeeded: string;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 20 });
  gw = await startTestGateway({ backends: emulators.entries, auth: { tokens: [TOKEN] } }, { fastFaults: true });
  succeeded = (await startSample(gw.url, 'azureml', {}, BEARER)).id;
  await vi.waitFor(
    async () => expect((await postGraphQL(gw.url, `{ batch(id: "${succeeded}") { state } }`, undefined, BEARER)).body.data?.batch?.state).toBe('SUCCEEDED'),
    { timeout: 10_000, interval: 100 },
  );
});
afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

/** A raw GET (no URL normalisation, any Host header): status and parsed JSON body. */
function rawGet(origin: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text }));
    });
    req.on('error', reject);
    req.end();
  });
}
const code = (body: any) => body?.errors?.[0]?.extensions?.code;

describe('operational endpoints with client tokens configured', () => {
  it('/metrics asks for the token', async () => {
    const anonymous = await fetch(`${gw.origin}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(code(await anonymous.json())).toBe('UNAUTHENTICATED');
    const allowed = await fetch(`${gw.origin}/metrics`, { headers: BEARER });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('batchgate_');
  });

  it('/metrics moves to metrics.listen, off the main port, when configured', async () => {
    const separate = await startTestGateway({ backends: emulators.entries, auth: { tokens: [TOKEN] }, metrics: { listen: { port: 0 } } }, { fastFaults: true });
    try {
      expect(separate.gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(`${separate.origin}/metrics`, { headers: BEARER })).status).toBe(404);
      const scraped = await fetch(separate.gateway.metricsUrl!);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('batchgate_');
    } finally {
      await separate.close();
    }
  });

  it('anonymous /readyz tells the status only; a token holder sees which backend fails', async () => {
    await emulators.byKind.slv.http.setFaults([{ fault: { kind: 'status', status: 500 } }]);
    try {
      const detailed = await vi.waitFor(
        async () => {
          const body = (await (await fetch(`${gw.origin}/readyz`, { headers: BEARER })).json()) as { failed?: Array<{ backend: string }> };
          expect(body.failed?.some((entry) => entry.backend === 'slv')).toBe(true);
          return body;
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(detailed.failed![0]).toEqual(expect.objectContaining({ backend: 'slv', code: expect.any(String) }));
      const anonymous = (await (await fetch(`${gw.origin}/readyz`)).json()) as Record<string, unknown>;
      expect(Object.keys(anonymous)).toEqual(['status']);
    } finally {
      await emulators.byKind.slv.http.setFaults([]);
    }
  });
});

describe('deeply nested variables over HTTP', () => {
  const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

  it('are refused with 400 BAD_USER_INPUT in a POST, not a 500', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...BEARER },
      body: `{"query":"query ($id: ID!) { batch(id: $id) { id } }","variables":{"id":${deep}}}`,
    });
    expect(response.status).toBe(400);
    expect(code(await response.json())).toBe('BAD_USER_INPUT');
  });

  it('are refused with 400 BAD_USER_INPUT in a GET query string', async () => {
    // Shallower, to fit a URL; still far past the cap.
    const nested = `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`;
    const query = encodeURIComponent('query ($id: ID!) { batch(id: $id) { id } }');
    const response = await fetch(`${gw.url}?query=${query}&variables=${encodeURIComponent(`{"id":${nested}}`)}`, { headers: { ...BEARER, 'apollo-require-preflight': '1' } });
    expect(response.status).toBe(400);
    expect(code(await response.json())).toBe('BAD_USER_INPUT');
  });
});

describe('document field caps', () => {
  const ask = (query: string) => postGraphQL(gw.url, query, undefined, BEARER);

  it('refuse 220 identical fields (6 KB, under every other limit) as a validation failure', async () => {
    const response = await ask(`{ ${'backends { id kind url healthy } '.repeat(220)} }`);
    expect(response.status).toBe(400);
    expect(code(response.body)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/220 root fields; at most 20/);
  });

  it.each([
    ['fields in one selection set', `{ backends { ${'id '.repeat(51)} } }`, /at most 50/],
    // Eleven same-named root fields, each merged pairwise with the others by validation.
    ['repeats of one field', `{ ${Array.from({ length: 11 }, () => 'batches { edges { node { id } } }').join(' ')} }`, /"batches" 11 times; at most 8/],
    // Fragments inlined where spread: 8 × 46 + 8 × 44 fields in the operation and 75 in the two
    // fragments' own walks pass the default 600, though no selection set passes its own caps.
    [
      'fields in all, through fragments',
      `fragment F on Backend { ${'id kind url healthy '.repeat(8)} }
       fragment B on Batch { backend { ...F } progress { percent completedItems totalItems failedItems message } id name state nativeStatus }
       { ${Array.from({ length: 8 }, () => 'batches { edges { node { ...B } } } batch(id: "x") { ...B }').join(' ')} }`,
      /more than 600 fields/,
    ],
  ])('refuse too many %s', async (_name, query, message) => {
    const response = await ask(query);
    expect(code(response.body)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(message);
  });

  it('refuse too many distinct fields before any other rule sees the document', async () => {
    // By default the distinct-path cap equals the field cap; an operator may set it lower.
    const strict = await startTestGateway({ backends: emulators.entries, auth: { tokens: [TOKEN] }, limits: { maxHeight: 150 } }, { fastFaults: true });
    try {
      const query = `{ ${Array.from({ length: 16 }, (_, index) => `b${index}: backends { ${Array.from({ length: 10 }, (_unused, field) => `f${field}: id`).join(' ')} }`).join(' ')} }`;
      const response = await postGraphQL(strict.url, query, undefined, BEARER);
      expect(code(response.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.body.errors![0]!.message).toMatch(/more than 150 distinct/);
    } finally {
      await strict.close();
    }
  });

  it('refuse a flood of 50 distinct heavy documents while a concurrent { __typename } is answered', async () => {
    const flood = Array.from({ length: 50 }, (_, index) => ask(`{ ${'backends { id kind url healthy } '.repeat(220)} } # ${index}`));
    const light = await ask('{ __typename }');
    expect(light.body).toEqual({ data: { __typename: 'Query' } });
    for (const response of await Promise.all(flood)) expect(code(response.body)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('artifact paths', () => {
  it.each(['.', '..', '%2e%2e', '%2E.', '..%2F..%2Fservices', 'a%2Fb', 'a%5Cb', '%252e%252e'])('refuse the name %s with 400 before any upstream call', async (name) => {
    const ml = emulators.byKind.azureml.http;
    ml.clearRequests();
    const response = await rawGet(gw.origin, `/artifacts/${succeeded}/0/${name}`, BEARER);
    expect(response.status).toBe(400);
    expect(code(response.body)).toBe('BAD_USER_INPUT');
    // Only the periodic health probe may have reached ML Server meanwhile.
    expect(ml.requests.filter((entry) => !/^\/(services|login)$/.test(entry.path)).map((entry) => entry.path)).toEqual([]);
  });

  it('answer an artifact the execution does not have with 404 NOT_FOUND', async () => {
    const response = await rawGet(gw.origin, `/artifacts/${succeeded}/0/no-such-file.csv`, BEARER);
    expect(response.status).toBe(404);
    expect(code(response.body)).toBe('NOT_FOUND');
  });
});

describe('artifact links', () => {
  const linkOf = async (target: TestGateway, headers: Record<string, string>) => {
    const body = JSON.stringify({ query: `{ batch(id: "${succeeded}") { executions(first: 1) { edges { node { artifacts { url } } } } } }` });
    const { hostname, port } = new URL(target.origin);
    const text = await new Promise<string>((resolve, reject) => {
      const req = request({ hostname, port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', ...BEARER, ...headers } }, (res) => {
        let data = '';
        res.on('data', (chunk) => (data += String(chunk)));
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end(body);
    });
    return (JSON.parse(text)).data.batch.executions.edges[0].node.artifacts[0].url as string;
  };
  const forged = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

  it('ignore a forged Host and X-Forwarded-* by default: the listen address', async () => {
    expect(await linkOf(gw, forged)).toMatch(new RegExp(`^${gw.origin}/artifacts/`));
  });

  it('use publicUrl when configured', async () => {
    const behind = await startTestGateway({ backends: emulators.entries, auth: { tokens: [TOKEN] }, publicUrl: 'https://batch.example.com/gw/' }, { fastFaults: true });
    try {
      expect(await linkOf(behind, forged)).toMatch(/^https:\/\/batch\.example\.com\/gw\/artifacts\//);
    } finally {
      await behind.close();
    }
  });

  it('follow X-Forwarded-Host and -Proto only with trustProxy', async () => {
    const proxied = await startTestGateway({ backends: emulators.entries, auth: { tokens: [TOKEN] }, trustProxy: true }, { fastFaults: true });
    try {
      expect(await linkOf(proxied, { 'x-forwarded-host': 'proxy.example', 'x-forwarded-proto': 'https' })).toMatch(/^https:\/\/proxy\.example\/artifacts\//);
    } finally {
      await proxied.close();
    }
  });
});

describe('echoed client input', () => {
  it('is cut to a short prefix in errors: a 300 KB SLV id does not come back whole', async () => {
    const huge = 'x'.repeat(300_000);
    const response = await postGraphQL(gw.url, 'query ($id: String!) { batchByNativeId(backend: "slv", nativeId: $id) { id } }', { id: huge }, BEARER);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    expect(typeof code(response.body)).toBe('string');
    expect(JSON.stringify(response.body).length).toBeLessThan(2000);
  });

  it('is cut in graphql’s own variable errors too', async () => {
    const response = await postGraphQL(gw.url, 'query ($n: Int!) { batches(first: $n) { edges { cursor } } }', { n: 'y'.repeat(300_000) }, BEARER);
    expect(code(response.body)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response.body).length).toBeLessThan(2000);
  });
});

describe('switches for production', () => {
  it('turn introspection, the playground and the dashboard off', async () => {
    const hardened = await startTestGateway({ backends: emulators.entries, graphql: { introspection: false, playground: false }, dashboard: { enabled: false } }, { fastFaults: true });
    try {
      const introspection = await postGraphQL(hardened.url, '{ __schema { types { name } } }');
      expect(code(introspection.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      const playground = await fetch(hardened.url, { headers: { accept: 'text/html' } });
      expect(playground.headers.get('content-type')).not.toMatch(/html/);
      await playground.arrayBuffer();
      const dashboard = await fetch(`${hardened.origin}/`);
      expect(dashboard.status).toBe(404);
      await dashboard.arrayBuffer();
      expect((await postGraphQL(hardened.url, '{ backends { id } }')).status).toBe(200);
    } finally {
      await hardened.close();
    }
  });

  it('keep them on by default', async () => {
    expect(code((await postGraphQL(gw.url, '{ __schema { queryType { name } } }', undefined, BEARER)).body)).toBeUndefined();
    const playground = await fetch(gw.url, { headers: { accept: 'text/html' } });
    expect(playground.headers.get('content-type')).toMatch(/html/);
    await playground.arrayBuffer();
  });

  it('let the largest CSV the input allows through the body and variables limits', async () => {
    const input = (csv: string) => ({ input: { backend: 'slv', slv: { importDevicesCsv: { csv } } } });
    const start = 'mutation ($input: StartBatchInput!) { startBatch(input: $input) { batch { id } } }';
    const tooLong = await postGraphQL(gw.url, start, input(`a,b\n${'1,2\n'.repeat(1_250_000)}`.slice(0, 5_000_001)), BEARER);
    // Refused by the CSV rule itself (the field is named), not by a size limit in front of it.
    expect(tooLong.status).not.toBe(413);
    expect(code(tooLong.body)).toBe('BAD_USER_INPUT');
    expect(tooLong.body.errors![0]!.extensions!['field']).toBe('input.slv.importDevicesCsv.csv');
  });
});
