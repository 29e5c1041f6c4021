import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RegisteredKind as BackendKind } from '../src/backends/index.js';
import { createLogger } from '../src/logger.js';
import { graphqlStartInput, KINDS, START_BATCH, startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway } from './utils/gateway.js';
import { memoryStream } from './utils/logs.js';
import { postGraphQL } from './utils/graphql.js';

/**
 * A backend (or a proxy in front of it) that echoes the whole request in its error answers: the
 * gateway's own credentials are in that request (Basic pair, ML Server login body and bearer token,
 * SigV4 Authorization with the access key id and signature). None of it may reach a client, the
 * health answer or a log line.
 */

const CLIENT_TOKEN = 'client-token-for-echo-tests';
const BEARER = { authorization: `Bearer ${CLIENT_TOKEN}` };

let emulators: EmulatorSet;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 20 });
});
afterAll(async () => {
  await emulators?.close();
});

/** Every form a configured secret travels in that the test knows of, for one kind's entry. */
function secretsOf(kind: BackendKind): string[] {
  const entry = emulators.entries.find((candidate) => candidate.kind === kind) as unknown as Record<string, string>;
  const found: string[] = [];
  for (const field of emulators.modules[kind].secretFields) if (entry[field]) found.push(entry[field]);
  if (entry['username'] && entry['password']) found.push(Buffer.from(`${entry['username']}:${entry['password']}`).toString('base64'));
  if (entry['accessKeyId']) found.push(entry['accessKeyId']);
  return found;
}

describe.each(KINDS)('a %s backend that echoes requests in its errors', (kind) => {
  it('has its echo reach clients, /readyz and logs with every credential scrubbed', { timeout: 30_000 }, async () => {
    const { destination, lines } = memoryStream();
    const logger = createLogger('debug', { destination });
    const emulator = emulators.byKind[kind].http;
    // Echoing from the first request on, so logins (ML Server's body carries the password) are echoed too.
    await emulator.setFaults([{ fault: emulators.modules[kind].fixtures.echoError }]);
    const gw = await startTestGateway({ backends: emulators.entries, auth: { tokens: [CLIENT_TOKEN] }, upstream: { cacheTtlMs: 0 } }, { fastFaults: true, logger });
    try {
      const answers: string[] = [];
      const ask = async (query: string, variables?: Record<string, unknown>) => {
        const response = await postGraphQL(gw.url, query, variables, BEARER);
        answers.push(JSON.stringify(response.body));
        return response;
      };
      const started = await ask(START_BATCH, { input: { backend: kind, ...graphqlStartInput(emulators.modules[kind]) } });
      await ask('query ($kind: ID!) { batchByNativeId(backend: $kind, nativeId: "svc/1.0/n-1") { id } }', { kind });
      await ask('{ batches(first: 5) { edges { node { id } } } }');
      const readyz = await vi.waitFor(
        async () => {
          const text = await (await fetch(`${gw.origin}/readyz`, { headers: BEARER })).text();
          expect(text).toContain(`"backend":"${kind}"`);
          return text;
        },
        { timeout: 10_000, interval: 100 },
      );
      const anonymous = await (await fetch(`${gw.origin}/readyz`)).json();

      // The echo did come through: the gateway's request line and headers are in the error.
      const error = started.body.errors?.[0];
      expect(error?.extensions?.['backend']).toBe(kind);
      const shown = `${error?.message} ${JSON.stringify(error?.extensions?.['upstream'] ?? null)}`;
      expect(shown).toMatch(/host: 127\.0\.0\.1/i);
      expect(shown).toContain('[redacted]');
      expect(readyz).toContain('[redacted]');
      expect(anonymous).toEqual({ status: 'ready' });

      const everything = [...answers, readyz, ...lines].join('\n');
      for (const secret of secretsOf(kind)) expect(everything.includes(secret), `a secret of ${secret.length} characters reached the output`).toBe(false);
      // Credentials the gateway obtained or computed at run time: bearer tokens, SigV4 signatures.
      expect(everything).not.toMatch(/Bearer (?!\[redacted\])[A-Za-z0-9]/);
      expect(everything).not.toMatch(/Signature=[0-9a-f]{16}/);
      expect(everything).not.toMatch(/Credential=AKIA/);
    } finally {
      await emulator.setFaults([]);
      await gw.close();
    }
  });
});
