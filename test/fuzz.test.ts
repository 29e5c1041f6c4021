import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';

/**
 * Fuzzing the running server with fast-check: random documents (some near-valid, built from the
 * schema's own names), random variables, and random bodies. Whatever comes, the server answers
 * without crashing, never a 5xx, and every error it returns carries an `extensions.code`.
 */

let emulators: EmulatorSet;
let gw: TestGateway;

beforeAll(async () => {
  emulators = await startEmulatorSet();
  // Low document limits, so the depth, alias and cost rules are hit often.
  gw = await startTestGateway({ backends: emulators.entries, upstream: { timeoutMs: 1000 }, limits: { maxDepth: 4, maxAliases: 2, maxCost: 60 } }, { fastFaults: true });
});

afterAll(async () => {
  await gw?.close();
  await emulators?.close();
});

const ROOTS = ['backends', 'batch', 'batches', 'node', 'batchByNativeId', 'startBatch', 'cancelBatch', '__typename', '__schema', 'nope'];
const FIELDS = ['id', 'kind', 'url', 'healthy', 'state', 'nativeId', 'name', 'progress', 'percent', 'edges', 'node', 'pageInfo', 'executions', 'steps', 'error', 'batch', '__typename', 'x'];
const ARGS = ['id', 'backend', 'nativeId', 'first', 'after', 'states', 'input', 'zzz'];

const argValue = fc.oneof(
  fc.string({ maxLength: 20 }).map((text) => JSON.stringify(text)),
  fc.integer({ min: -5, max: 1_000_000 }).map(String),
  fc.constantFrom('null', 'true', 'RUNNING', '[SUCCEEDED, FAILED]', '$v', '{ backend: "awsml" }', '"QmF0Y2g6YXdzbWw6eA"', '-1', '1e400'),
);
const argument = fc.tuple(fc.constantFrom(...ARGS), argValue).map(([name, value]) => `${name}: ${value}`);
const selection: fc.Memo<string> = fc.memo((depth) =>
  depth <= 1
    ? fc.constantFrom(...FIELDS)
    : fc
        .tuple(fc.constantFrom(...FIELDS), fc.array(argument, { maxLength: 2 }), fc.array(selection(depth - 1), { minLength: 1, maxLength: 3 }))
        .map(([field, args, children]) => `${field}${args.length ? `(${args.join(', ')})` : ''} { ${children.join(' ')} }`),
);
const nearValidDocument = fc
  .tuple(
    fc.constantFrom('', 'query', 'mutation', 'subscription', 'query Q($v: ID)', 'query ($v: [BatchState!])'),
    fc.constantFrom(...ROOTS),
    fc.array(argument, { maxLength: 3 }),
    fc.array(selection(4), { maxLength: 3 }),
  )
  .map(([head, root, args, children]) => `${head} { ${root}${args.length ? `(${args.join(', ')})` : ''}${children.length ? ` { ${children.join(' ')} }` : ''} }`);
const document = fc.oneof(nearValidDocument, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));
const variables = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom('v', 'id', 'input'), fc.jsonValue({ maxDepth: 2 })));

interface Answer {
  status: number;
  body: unknown;
}

const everyErrorHasCode = (body: unknown): boolean => {
  if (typeof body !== 'object' || body === null) return false;
  const errors = (body as { errors?: unknown }).errors;
  if (errors === undefined) return 'data' in body;
  return Array.isArray(errors) && errors.length > 0 && errors.every((error) => typeof (error as { extensions?: { code?: unknown } }).extensions?.code === 'string');
};

const post = async (body: string, contentType = 'application/json'): Promise<Answer> => {
  const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': contentType, accept: 'application/json' }, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
};

const expectSane = (answer: Answer, sent: unknown) => {
  if (answer.status >= 500 || !everyErrorHasCode(answer.body)) {
    throw new Error(`unexpected answer ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)} for ${JSON.stringify(sent).slice(0, 300)}`);
  }
};

describe('fuzzed requests', () => {
  it('answers random documents and variables over HTTP without a 5xx, every error with a code', async () => {
    await fc.assert(
      fc.asyncProperty(document, variables, fc.option(fc.string({ maxLength: 12 }), { nil: undefined }), async (query, vars, operationName) => {
        const sent = { query, variables: vars, operationName };
        expectSane(await post(JSON.stringify(sent)), sent);
      }),
      { numRuns: 200 },
    );
  });

  it('answers random JSON and non-JSON bodies without a 5xx, every error with a code', async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 100 }),
      fc.record({ query: fc.jsonValue({ maxDepth: 1 }), variables: fc.jsonValue({ maxDepth: 1 }) }).map((value) => JSON.stringify(value)),
    );
    const contentType = fc.constantFrom('application/json', 'application/json; charset=latin1', 'application/graphql', 'text/plain', 'application/x-www-form-urlencoded');
    await fc.assert(
      fc.asyncProperty(body, contentType, async (text, type) => {
        expectSane(await post(text, type), { text, type });
      }),
      { numRuns: 200 },
    );
  });

  it('survives random graphql-ws messages and keeps serving', async () => {
    const message = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc
        .record({
          id: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()),
          type: fc.constantFrom('subscribe', 'complete', 'ping', 'pong', 'connection_init', 'next', 'bogus'),
          payload: fc.oneof(fc.jsonValue({ maxDepth: 2 }), document.map((query) => ({ query }))),
        })
        .map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(message, { minLength: 1, maxLength: 6 }), async (init, messages) => {
        const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
        const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
        socket.once('error', () => undefined);
        await new Promise((resolve) => socket.once('open', resolve));
        const replies: string[] = [];
        socket.on('message', (data: Buffer) => replies.push(data.toString('utf8')));
        if (init) socket.send(JSON.stringify({ type: 'connection_init' }));
        for (const text of messages) if (socket.readyState === WebSocket.OPEN) socket.send(text);
        // The server owes no reply to garbage: a short window lets it answer or close before we do.
        await sleep(20);
        socket.close(1000);
        const code = await closed;
        // Protocol violations close with graphql-ws's 44xx codes (or 1000/1005 when we closed first), never 1011.
        expect(code).not.toBe(1011);
        for (const reply of replies) {
          const parsed = JSON.parse(reply) as { type: string; payload?: unknown };
          if (parsed.type === 'error') expect(everyErrorHasCode({ errors: parsed.payload })).toBe(true);
          if (parsed.type === 'next' && (parsed.payload as { errors?: unknown }).errors) expect(everyErrorHasCode(parsed.payload)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
    expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
    expect((await post(JSON.stringify({ query: '{ backends { id } }' }))).status).toBe(200);
  });
});
