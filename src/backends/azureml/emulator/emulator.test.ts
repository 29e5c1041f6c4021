import { afterEach, describe, expect, it } from 'vitest';
import { startAzureMlEmulator, type AzureMlEmulator, type AzureMlEmulatorOptions } from './index.js';

let emulator: AzureMlEmulator | null = null;
afterEach(async () => {
  await emulator?.close();
  emulator = null;
});

async function start(options: AzureMlEmulatorOptions = {}) {
  emulator = await startAzureMlEmulator({ tickMs: 600_000, ...options });
  const em = emulator;
  const call = async (method: string, path: string, init: { token?: string; body?: unknown } = {}) => {
    const response = await fetch(`${em.url}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const type = response.headers.get('content-type') ?? '';
    const body: unknown = type.startsWith('application/json') ? await response.json() : Buffer.from(await response.arrayBuffer());
    return { status: response.status, type, body };
  };
  const login = await call('POST', '/login', { body: { username: 'admin', password: 'emulator-password' } });
  const token = (login.body as { access_token: string }).access_token;
  return { em, call, token, login };
}

describe('azureml emulator', () => {
  it('issues bearer tokens with a numeric expires_on and renews them with a single-use refresh token', async () => {
    const { call, login } = await start();
    expect(login.status).toBe(200);
    const issued = login.body as Record<string, unknown>;
    expect(issued).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(typeof issued['expires_on']).toBe('number');
    const renewed = await call('POST', '/login/refreshToken', { body: { refreshToken: issued['refresh_token'] } });
    expect(renewed.status).toBe(200);
    expect((await call('POST', '/login/refreshToken', { body: { refreshToken: issued['refresh_token'] } })).body).toEqual({
      code: 401,
      message: 'Invalid or expired refresh token',
      fields: null,
    });
    expect((await call('GET', '/services', { token: issued['access_token'] as string })).status).toBe(401);
    expect((await call('GET', '/services', { token: (renewed.body as { access_token: string }).access_token })).status).toBe(200);
  });

  it('refuses calls without a live token, and wrong passwords, with an Error body', async () => {
    const { call } = await start();
    expect(await call('GET', '/services')).toMatchObject({ status: 401, body: { code: 401, message: 'Unauthorized', fields: null } });
    expect(await call('POST', '/login', { body: { username: 'admin', password: 'nope' } })).toMatchObject({ status: 401, body: { message: 'Invalid Password' } });
  });

  it('answers the credentials fault with the 401 Error body', async () => {
    const { em, call, token } = await start();
    await em.http.setFaults([{ fault: { kind: 'unauthorized' } }]);
    expect(await call('GET', '/services', { token })).toMatchObject({ status: 401, body: { code: 401, message: 'Unauthorized' } });
  });

  it('describes its services, one as an object by name and version', async () => {
    const { call, token } = await start();
    const all = (await call('GET', '/services', { token })).body as Array<{ name: string; version: string }>;
    expect(all.map((s) => `${s.name}/${s.version}`)).toEqual(['Double/1.0', 'TxService/1.0', 'RenderReport/2.0', 'LegacyScorer/0.1']);
    expect((await call('GET', '/services/TxService/1.0', { token })).body).toMatchObject({ name: 'TxService', outputFileNames: ['answer.csv'] });
    expect((await call('GET', '/services/Nope', { token })).status).toBe(404);
  });

  it('starts a batch with 202 and both id spellings, then walks PascalCase states to Complete', async () => {
    const { em, call, token } = await start();
    const started = await call('POST', '/api/Double/1.0/batch?parallelCount=2', { token, body: [{ x: 1 }, { x: 2 }, { x: 3 }] });
    expect(started.status).toBe(202);
    const { batchExecutionId, BatchExecutionId } = started.body as Record<string, string>;
    expect(batchExecutionId).toBe(BatchExecutionId);
    const states: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const status = (await call('GET', `/api/Double/1.0/batch/${batchExecutionId}?showPartialResults=true`, { token })).body as { state: string };
      if (states.at(-1) !== status.state) states.push(status.state);
      em.advance();
    }
    expect(states).toEqual(['Pending', 'Ready', 'InProgress', 'Complete']);
    expect((await call('GET', '/api/Double/1.0/batch', { token })).body).toEqual([batchExecutionId]);
  });

  it('keeps at most parallelCount records in progress', async () => {
    const { em, call, token } = await start();
    const records = Array.from({ length: 30 }, (_, x) => ({ x }));
    const { body } = await call('POST', '/api/TxService/1.0/batch?parallelCount=3', { token, body: records });
    const id = (body as { batchExecutionId: string }).batchExecutionId;
    em.advance(200);
    const execution = em.batches.get(em.services.find((s) => s.name === 'TxService')!, id)!;
    expect({ state: execution.state, peak: execution.peakInProgress }).toEqual({ state: 'Failed', peak: 3 });
  });

  it('shows results while running only when partial results are asked for, in either spelling', async () => {
    const { em, call, token } = await start();
    const { body } = await call('POST', '/api/Double/1.0/batch?parallelCount=1', { token, body: [{ x: 1 }, { x: 2 }] });
    const id = (body as { batchExecutionId: string }).batchExecutionId;
    em.advance(3);
    const path = `/api/Double/1.0/batch/${id}`;
    expect((await call('GET', path, { token })).body).toMatchObject({ state: 'InProgress', completedItemCount: 1, totalItemCount: 2, batchExecutionResults: [] });
    for (const query of ['?showPartialResults=true', '?showPartialResult=true']) {
      expect((await call('GET', path + query, { token })).body).toMatchObject({
        batchExecutionResults: [{ success: true, outputParameters: { y: 2 }, changedFiles: [], outputFiles: {} }],
      });
    }
  });

  it('serves per-record files as raw bytes and forgets a deleted execution', async () => {
    const { em, call, token } = await start();
    const { body } = await call('POST', '/api/TxService/1.0/batch', { token, body: [{ hp: 110, wt: 2.62 }] });
    const id = (body as { batchExecutionId: string }).batchExecutionId;
    expect((await call('GET', `/api/TxService/1.0/batch/${id}/1/files`, { token })).body).toBeNull();
    em.advance(5);
    expect((await call('GET', `/api/TxService/1.0/batch/${id}/1/files`, { token })).body).toEqual(['answer.csv']);
    const file = await call('GET', `/api/TxService/1.0/batch/${id}/1/files/answer.csv`, { token });
    expect({ status: file.status, type: file.type }).toEqual({ status: 200, type: 'application/octet-stream' });
    expect((file.body as Buffer).toString('utf8')).toMatch(/^hp,wt,answer\n110,2\.62,0\.\d+\n$/);
    expect((await call('GET', `/api/TxService/1.0/batch/${id}/1/files/other.csv`, { token })).body).toMatchObject({ message: 'File not found' });
    expect((await call('GET', `/api/TxService/1.0/batch/${id}/5/files`, { token })).status).toBe(404);

    expect((await call('DELETE', `/api/TxService/1.0/batch/${id}`, { token })).body).toEqual([id]);
    expect(await call('GET', `/api/TxService/1.0/batch/${id}`, { token })).toMatchObject({ status: 404, body: { code: 404, message: 'Execution not found' } });
  });

  it('answers a synchronous consume with files inline as base64', async () => {
    const { call, token } = await start();
    const { body } = await call('POST', '/api/TxService/1.0', { token, body: { hp: 110, wt: 2.62 } });
    const result = body as { success: boolean; outputFiles: Record<string, string> };
    expect(result.success).toBe(true);
    expect(Buffer.from(result.outputFiles['answer.csv']!, 'base64').toString('utf8')).toMatch(/^hp,wt,answer\n/);
  });

  it('refuses unknown services and malformed batch bodies with Error bodies', async () => {
    const { call, token } = await start();
    expect(await call('POST', '/api/Nope/1.0/batch', { token, body: [{}] })).toMatchObject({ status: 404, body: { message: 'Web service not found' } });
    expect((await call('POST', '/api/Double/1.0/batch', { token, body: { x: 1 } })).status).toBe(400);
    expect((await call('POST', '/api/Double/1.0/batch?parallelCount=0', { token, body: [{ x: 1 }] })).status).toBe(400);
  });

  it('seeds demo batches that progress, with one ending in failed records and one failing', async () => {
    const { em } = await start({ demo: true });
    const initial = em.batches.all();
    expect(initial.length).toBeGreaterThanOrEqual(4);
    em.advance(30);
    expect(em.batches.all().some((e) => e.state === 'InProgress' && e.committed > 0)).toBe(true);
    em.advance(400);
    const finished = initial.map((e) => ({ state: e.state, failedItems: e.items.filter((i) => i.outcome?.success === false).length }));
    expect(finished).toContainEqual({ state: 'Failed', failedItems: 40 });
    expect(finished).toContainEqual({ state: 'Complete', failedItems: 10 });
    expect(em.batches.all().length).toBeGreaterThan(initial.length);
  });
});
