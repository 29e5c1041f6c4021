import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendModules } from '../src/backends/index.js';
import { ConfigError, parseConfigText } from '../src/config/load.js';
import { encodeBatchId } from '../src/core/ids.js';
import type { Fault } from '../src/backends/emulator-kit/index.js';
import { createLogger } from '../src/logger.js';
import { KINDS, startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { memoryStream } from './utils/logs.js';
import { openWsClient, subscribe, wsHandshake } from './utils/subscriptions.js';

/**
 * Secrets never leave the gateway: the scenarios of the other reliability tests run with known
 * secrets and debug logs captured, and every byte the gateway wrote (logs, responses, headers, errors,
 * metrics) is searched for them.
 */

const CLIENT_TOKEN = 'client-token-7f3a9c1e5b';
const BEARER = { authorization: `Bearer ${CLIENT_TOKEN}` };

let emulators: EmulatorSet;
let gw: TestGateway;
const { destination, lines: logLines } = memoryStream();
const seen: string[] = [];
let secrets: string[] = [];

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 20 });
  const logger = createLogger('debug', { destination });
  gw = await startTestGateway({ backends: emulators.entries, auth: { tokens: [CLIENT_TOKEN] }, log: { level: 'debug' }, upstream: { timeoutMs: 1000, cacheTtlMs: 0 } }, { fastFaults: true, logger });
  // Every configured secret field of every backend, plus the forms they travel in (SLV's Basic header).
  secrets = [CLIENT_TOKEN];
  for (const entry of emulators.entries) {
    const module = backendModules.find((candidate) => candidate.kind === entry.kind)!;
    for (const field of module.secretFields) {
      const value = (entry as unknown as Record<string, unknown>)[field];
      if (typeof value === 'string' && value !== '') secrets.push(value);
    }
    const record = entry as unknown as Record<string, string>;
    if (record['username'] && record['password']) secrets.push(Buffer.from(`${record['username']}:${record['password']}`).toString('base64'));
  }
});

afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

/** Fetches and remembers everything the gateway answered: status, headers and body. */
async function capture(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  seen.push(`${response.status} ${JSON.stringify([...response.headers])} ${text}`);
  return { status: response.status, text };
}
const query = (text: string, variables?: Record<string, unknown>, headers: Record<string, string> = BEARER) =>
  capture(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: text, variables }),
  });

describe('secrets', () => {
  it('appear nowhere in logs, responses, errors or metrics after every scenario', { timeout: 60_000 }, async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);

    // Ordinary work: listing, starting, following live, downloading.
    await query('{ backends { id kind url healthy } batches(first: 50) { edges { node { id nativeId state } } } }');
    const ids: Record<string, string> = {};
    for (const kind of KINDS) ids[kind] = (await startSample(gw.url, kind, {}, BEARER)).id;
    const client = openWsClient(gw.wsUrl, { authorization: BEARER.authorization });
    try {
      const streams = KINDS.map((kind) => subscribe(client, 'subscription ($id: ID!) { batchProgress(id: $id) { terminal error { code message } batch { id state } } }', { id: ids[kind] }));
      await Promise.all(streams.map((stream) => stream.done));
      for (const stream of streams) seen.push(JSON.stringify(stream.events), JSON.stringify(stream.errors));
    } finally {
      await client.dispose();
    }
    const artifacts = await query('query ($id: ID!) { batch(id: $id) { executions { edges { node { artifacts { url } } } } } }', { id: ids['azureml'] });
    const url = (JSON.parse(artifacts.text) as { data: { batch: { executions: { edges: Array<{ node: { artifacts: Array<{ url: string }> } }> } } } }).data.batch.executions.edges[0]!.node.artifacts[0]!.url;
    expect((await capture(url, { headers: BEARER })).status).toBe(200);

    // Every fault on every backend: errors are where secrets like to leak.
    const faults: Fault[] = [{ kind: 'unauthorized' }, { kind: 'status', status: 500 }, { kind: 'garbage' }, { kind: 'html' }, { kind: 'reset' }, { kind: 'down' }];
    for (const kind of KINDS) {
      for (const fault of faults) {
        await emulators.byKind[kind].http.setFaults([{ fault }]);
        await query('query ($id: ID!) { batch(id: $id) { id state } batches(first: 5) { edges { node { id } } } }', { id: ids[kind] });
        await query(`mutation { startBatch(input: { backend: "${kind}", awsMl: { mlModelId: "m", dataSourceId: "d", outputUri: "s3://b/" } }) { batch { id } } }`);
        await emulators.byKind[kind].http.setFaults([]);
      }
    }

    // Refused clients, abuse limits, bad input, and the operational endpoints.
    await query('{ backends { id } }', undefined, { authorization: 'Bearer wrong' });
    await query('{ backends { id } }', undefined, {});
    seen.push(JSON.stringify(await wsHandshake(gw.wsUrl, { authorization: 'Bearer wrong' })));
    await query('{ batch(id: "not-an-id") { id } }');
    await query(`{ ${Array.from({ length: 40 }, (_, index) => `a${index}: backends { id }`).join(' ')} }`);
    await capture(`${gw.origin}/artifacts/${encodeBatchId('azureml', 'a/b/c')}/0/x.csv`, { headers: BEARER });
    await capture(`${gw.origin}/artifacts/${encodeBatchId('azureml', 'a/b/c')}/0/x.csv`);
    for (const path of ['/healthz', '/readyz', '/metrics', '/graphql']) await capture(`${gw.origin}${path}`, { headers: { accept: path === '/graphql' ? 'text/html' : '*/*' } });

    const logs = logLines.join('');
    // The capture worked: debug lines (one per upstream call) and error-level outcomes are in it.
    expect(logLines.filter((line) => line.includes('"level":20')).length).toBeGreaterThan(10);
    expect(seen.length).toBeGreaterThan(50);
    const everything = `${logs}\n${seen.join('\n')}`;
    for (const secret of secrets) expect(everything.includes(secret), `a secret of ${secret.length} characters leaked`).toBe(false);
  });

  it('are not echoed by a config error about the entry that holds them', () => {
    const password = 'config-secret-password-91d2';
    const text = `backends:\n  - id: bad\n    kind: slv\n    url: not-a-url\n    username: admin\n    password: ${password}\n`;
    let message = '';
    try {
      parseConfigText(text, 'secret.yaml', { modules: backendModules });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as ConfigError).message;
    }
    expect(message).toContain('backends[0].url');
    expect(message.includes(password)).toBe(false);
  });
});

describe('artifact downloads', () => {
  let elsewhere: Server;
  let elsewhereHits = 0;
  let elsewherePort = 0;

  beforeAll(async () => {
    elsewhere = createServer((_req, res) => {
      elsewhereHits += 1;
      res.end('should never be asked');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewherePort = (elsewhere.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));

  it('only ever go to the configured ML Server origin, whatever the id and file name say', async () => {
    const ml = emulators.byKind.azureml.http;
    ml.clearRequests();
    const other = `127.0.0.1:${elsewherePort}`;
    const nativeIds = ['TxService/1.0/x', `http:/${other}/x`, `@${other}/v/x`, '../../x', `TxService/1.0/..%2F..%2F${other}`, `TxService/1.0/\\\\${other}`];
    const names = [`http://${other}/f`, `//${other}/f`, `@${other}`, '..', '%2e%2e', `..\\..\\${other}`, 'answer.csv?x=1#y'];
    const statuses: number[] = [];
    for (const nativeId of nativeIds) {
      for (const name of names) {
        const response = await fetch(`${gw.origin}/artifacts/${encodeBatchId('azureml', nativeId)}/0/${encodeURIComponent(name)}`, { headers: BEARER });
        statuses.push(response.status);
        const text = await response.text();
        // fetch itself folds a "/.." segment away, leaving a path no route serves (404).
        if (response.status === 404 && !text.startsWith('{')) continue;
        expect(typeof (JSON.parse(text) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('string');
      }
    }
    expect(elsewhereHits).toBe(0);
    expect(statuses.every((status) => status >= 400 && status < 600)).toBe(true);
    // What did reach ML Server stayed on its API (or its login and the health probe's /services).
    expect(ml.requests.filter((request) => !/^\/(api\/|login$|services$)/.test(request.path)).map((request) => request.path)).toEqual([]);
  });
});
