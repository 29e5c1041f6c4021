import { afterEach, describe, expect, it } from 'vitest';
import { expectCode } from '../../../test/backend-suite.js';
import { ErrorCode } from '../../core/errors.js';
import { createAzureMlClient } from './client.js';
import { createAzureMlConnector } from './connector.js';
import { drain, startHarness, type Harness } from './test-support.js';
import { stringListSchema } from './wire.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
async function setup(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const harness = await startHarness(options);
  cleanups.push(() => harness.close());
  return harness;
}

/** A clock the emulator and the connector share, moved by hand. */
const manualClock = () => {
  const clock = { now: 1_800_000_000_000 };
  return { clock, now: () => clock.now };
};
/** Logins, renewals and reads of `readPath` the emulator received. */
const tokenCalls = (count: Harness['count'], readPath: RegExp | string) => ({
  login: count('POST', '/login'),
  refresh: count('POST', '/login/refreshToken'),
  reads: count('GET', readPath),
});
const sample = { kind: 'azureml' as const, service: 'Double', version: '1.0', records: [{ x: 1 }, { x: 2 }, { x: 3 }], parallelCount: 1 };

describe('azureml client authentication', () => {
  it('renews a token about to expire with the refresh token, invisibly, while a batch runs', async () => {
    const { clock, now } = manualClock();
    const { backend, emulator, count } = await setup({ now, tokenLifetimeMs: 60_000, connector: { now } });
    const started = await backend.start(sample);
    for (let step = 0; step < 8; step += 1) {
      clock.now += 50_000; // past the renewal point (48 s into a 60 s token), short of expiry
      emulator.advance();
      await backend.get(started.nativeId);
    }
    expect((await backend.get(started.nativeId)).state).toBe('SUCCEEDED');
    // Ten reads and no retried one: no call was ever refused.
    expect(tokenCalls(count, /\/batch\//)).toEqual({ login: 1, refresh: 8, reads: 10 });
  });

  it('renews once and retries once when a call is refused with 401', async () => {
    const { backend, emulator, count } = await setup();
    const started = await backend.start(sample);
    emulator.tokens.expireAccessTokens();
    await backend.get(started.nativeId);
    expect(tokenCalls(count, /\/batch\//)).toEqual({ login: 1, refresh: 1, reads: 3 }); // the one after start, the refused one, the retry
  });

  it('logs in again when renewal is refused', async () => {
    const { backend, emulator, count } = await setup();
    await backend.probe();
    emulator.tokens.expireAccessTokens();
    emulator.tokens.revokeRefreshTokens();
    await backend.probe();
    expect(tokenCalls(count, '/services')).toEqual({ login: 2, refresh: 1, reads: 3 });
  });

  it('makes one token request for many concurrent calls holding an expired token', async () => {
    const { clock, now } = manualClock();
    const { backend, count } = await setup({ now, tokenLifetimeMs: 60_000, connector: { now } });
    const started = await backend.start(sample);
    clock.now += 120_000;
    await Promise.all(Array.from({ length: 12 }, () => backend.get(started.nativeId)));
    expect(tokenCalls(count, /\/batch\//)).toEqual({ login: 1, refresh: 1, reads: 13 });
  });

  it('makes one token request for many concurrent calls refused with 401', async () => {
    const { backend, emulator, count } = await setup();
    const started = await backend.start(sample);
    emulator.tokens.expireAccessTokens();
    await Promise.all(Array.from({ length: 12 }, () => backend.get(started.nativeId)));
    expect(tokenCalls(count, /\/batch\//)).toEqual({ login: 1, refresh: 1, reads: 25 });
  });

  it('logs in once for many concurrent first calls', async () => {
    const { backend, count } = await setup();
    await Promise.all(Array.from({ length: 8 }, () => backend.probe()));
    expect({ login: count('POST', '/login'), services: count('GET', '/services') }).toEqual({ login: 1, services: 8 });
  });

  it('answers BACKEND_UNAUTHORIZED after one login attempt when the password is wrong', async () => {
    const { emulator, count } = await setup();
    const backend = createAzureMlConnector({ id: 'ml', kind: 'azureml', ...emulator.connection, password: 'wrong' }, { timeoutMs: 2000 });
    cleanups.push(() => backend.dispose());
    const error = await expectCode(backend.probe(), ErrorCode.BACKEND_UNAUTHORIZED, 'ml');
    expect(error.extensions['upstream']).toEqual({ status: 401, code: 401, message: 'Invalid Password' });
    expect(JSON.stringify(error.extensions)).not.toContain('wrong');
    expect({ login: count('POST', '/login'), services: count('GET', '/services') }).toEqual({ login: 1, services: 0 });
  });

  it('answers BACKEND_UNAUTHORIZED when every credential is refused, after renewing and logging in once', async () => {
    const { backend, emulator, count } = await setup();
    await backend.probe();
    await emulator.http.setFaults([{ fault: { kind: 'unauthorized' } }]);
    await expectCode(backend.probe(), ErrorCode.BACKEND_UNAUTHORIZED, 'ml');
    await emulator.http.setFaults([]);
    expect(tokenCalls(count, '/services')).toEqual({ login: 2, refresh: 1, reads: 2 });
    await backend.probe();
    expect(count('POST', '/login')).toBe(3);
  });

  it('passes the backend code and message through on other 4xx answers', async () => {
    const { emulator } = await setup();
    const client = createAzureMlClient({ backendId: 'ml', ...emulator.connection, context: { timeoutMs: 2000 } });
    cleanups.push(() => client.dispose());
    const error = await expectCode(client.request('POST', 'api/Double/1.0/batch', stringListSchema, { json: [] }), ErrorCode.BACKEND_ERROR, 'ml');
    expect(error.extensions['upstream']).toEqual({
      status: 400,
      code: 400,
      message: 'Bad request: expected a non-empty JSON array of input parameter objects',
    });
  });

  it('probes with one authenticated call', async () => {
    const { backend, emulator, count } = await setup();
    await backend.probe();
    expect(emulator.http.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /login', 'GET /services']);
    expect(emulator.http.requests[1]!.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(count('GET', '/services')).toBe(1);
  });

  it('renews after a 401 on a download too, and streams the file', async () => {
    const { backend, emulator, count, runToEnd } = await setup();
    const started = await backend.start({ kind: 'azureml', service: 'TxService', version: '1.0', records: [{ hp: 110, wt: 2.62 }], parallelCount: 1 });
    await runToEnd(started.nativeId);
    emulator.tokens.expireAccessTokens();
    const file = await backend.openArtifact(started.nativeId, 0, 'answer.csv');
    expect((await drain(file.body)).bytes.toString('utf8')).toMatch(/^hp,wt,answer\n/);
    expect({ downloads: count('GET', /\/files\/answer\.csv$/), refresh: count('POST', '/login/refreshToken') }).toEqual({ downloads: 2, refresh: 1 });
  });
});
