import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlvEmulator, type SlvEmulatorHandle } from './server.js';

const fixture = JSON.parse(readFileSync(new URL('../../../../test/fixtures/slv-get-batch-result.json', import.meta.url), 'utf8')) as unknown;

let emulator: SlvEmulatorHandle;
let basic: string;

// A tick far in the future: these tests advance batches by hand with `emulator.tick()`.
beforeEach(async () => {
  emulator = await startSlvEmulator({ tickMs: 600_000, password: 'emulator-pass' });
  basic = `Basic ${Buffer.from('admin:emulator-pass').toString('base64')}`;
});
afterEach(async () => {
  await emulator.close();
});

const api = (path: string, init: RequestInit = {}) => fetch(`${emulator.url}/api/${path}`, { ...init, headers: { authorization: basic, ...init.headers } });
const form = (fields: Array<[string, string]>) => ({
  method: 'POST',
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
const json = async (response: Response) => (await response.json()) as Record<string, unknown>;
const startCommissioning = async (controllerStrId = 'ctrl-1', flags = '5') =>
  json(await api('controllermanagement/commissionControllerAsync?ser=json', form([['controllerStrId', controllerStrId], ['flags', flags]])));
const result = async (batchId: string) => json(await api(`batch/getBatchResult?batchId=${batchId}&ser=json`));

describe('SLV emulator wire format', () => {
  it('answers a start with a running batch: 13-digit string id, string errorCode, keys in alphabetical order', async () => {
    const response = await api('controllermanagement/commissionControllerAsync?ser=json', form([['controllerStrId', 'c'], ['flags', '7']]));
    const text = await response.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([...Object.keys(body)].sort());
    expect(Object.keys(body['value'] as object)).toEqual(['errorMessagesCount', 'infoMessagesCount', 'login', 'status', 'stepResults', 'warningMessagesCount']);
    expect(body).toMatchObject({ batchProgressMessage: null, batchProgressValue: -1, batchRunning: true, errorCode: '0', status: 'OK', statusOk: true });
    expect(body['batchId']).toMatch(/^\d{13}$/);
  });

  it('serves the reference sample verbatim for batch 1481016600181', async () => {
    expect(await result('1481016600181')).toEqual(fixture);
  });

  it('answers the legacy servlet form with its batch parameter', async () => {
    const response = await api('servlet/SLVBatchAPI?methodName=getBatchResult&batch=1481016600181&ser=json');
    expect(await json(response)).toEqual(fixture);
  });

  it('answers XML without ser=json', async () => {
    const response = await api('batch/getBatchResult?batchId=1481016600181');
    expect(response.headers.get('content-type')).toMatch(/xml/);
    expect(await response.text()).toContain('<SLVBatchResult><batchId>1481016600181</batchId>');
  });

  it('answers an unknown batch with the status ERROR envelope and errorCode 604', async () => {
    expect(await result('1000000000000')).toEqual({
      errorCode: '604',
      errorCodeLabel: 'Unknown batch',
      message: "No batch found with id '1000000000000'",
      status: 'ERROR',
      statusError: true,
      statusOk: false,
      value: null,
    });
  });

  it('moves progress from -1 to 100 step by step, appending each finished step', async () => {
    const id = (await startCommissioning('ctrl-1', '5'))['batchId'] as string;
    const seen: Array<[number, number, boolean]> = [];
    for (let tick = 0; tick < 12; tick += 1) {
      const batch = await result(id);
      seen.push([batch['batchProgressValue'] as number, ((batch['value'] as { stepResults: unknown[] }).stepResults ?? []).length, batch['batchRunning'] as boolean]);
      emulator.tick();
    }
    const progress = seen.map(([value]) => value);
    expect(progress[0]).toBe(-1);
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.map(([, steps]) => steps).at(-1)).toBe(3);
    expect(seen.filter(([, , running]) => !running).length).toBeGreaterThan(0);
    const done = await result(id);
    expect(done['batchProgressMessage']).toBe('Commissioning process finished.');
  });

  it('honours cancelBatch: cancelRequested at once, cancelled and stopped one tick later', async () => {
    const id = (await startCommissioning())['batchId'] as string;
    emulator.tick();
    const asked = await json(await api('batch/cancelBatch?ser=json', form([['batchId', id]])));
    expect(asked).toMatchObject({ cancelRequested: true, cancelled: false, batchRunning: true });
    emulator.tick();
    expect(await result(id)).toMatchObject({ cancelRequested: true, cancelled: true, batchRunning: false });
  });
});

describe('SLV emulator authentication', () => {
  it('answers wrong or missing Basic credentials with 401 and the Basic challenge', async () => {
    const wrong = await fetch(`${emulator.url}/api/batch/getBatchResult?batchId=1481016600181&ser=json`, {
      headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
    });
    const missing = await fetch(`${emulator.url}/api/batch/getBatchResult?batchId=1481016600181&ser=json`);
    for (const response of [wrong, missing]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="Authentication required"');
    }
  });

  it('refuses credentials the same way under the unauthorized fault', async () => {
    await emulator.http.setFaults([{ fault: { kind: 'unauthorized' } }]);
    const response = await api('userprofile/getCurrentUser?ser=json');
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'text/html;charset=UTF-8']);
  });

  it('hands out a CSRF token and session cookie, then requires the token on POSTs from that session', async () => {
    const handshake = await api('userprofile/getCurrentUser?ser=json', { headers: { 'x-csrf-token': 'Fetch', 'x-requested-with': 'XMLHttpRequest' } });
    const token = handshake.headers.get('x-csrf-token') ?? '';
    const cookie = (handshake.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(token).not.toBe('');
    expect(cookie).toMatch(/^JSESSIONID=/);
    expect((await json(handshake))['login']).toBe('admin');

    const post = (headers: Record<string, string>) =>
      fetch(`${emulator.url}/api/controllermanagement/commissionControllerAsync?ser=json`, {
        method: 'POST',
        body: 'controllerStrId=c&flags=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'forged' })).status).toBe(403);
    const accepted = await post({ 'x-csrf-token': token });
    expect(accepted.status).toBe(200);
    expect((await json(accepted))['batchRunning']).toBe(true);

    // Without Basic credentials, a dropped session leaves only the login page.
    emulator.invalidateSessions();
    const dropped = await post({ 'x-csrf-token': token });
    expect([dropped.status, dropped.headers.get('content-type')]).toEqual([200, 'text/html;charset=UTF-8']);
  });

  it('keeps plain Basic auth working without any session', async () => {
    expect((await startCommissioning())['status']).toBe('OK');
    expect(emulator.sessionCount).toBe(0);
  });
});

describe('SLV emulator demo', () => {
  it('seeds running batches that end in success, warnings and failure, and keeps new ones coming', async () => {
    const demo = await startSlvEmulator({ demo: true, tickMs: 600_000 });
    try {
      const seeded = demo.engine.running();
      expect(seeded.length).toBeGreaterThanOrEqual(4);
      for (let tick = 0; tick < 200; tick += 1) demo.tick();
      const ends = seeded.map((id) => demo.engine.get(id) as { status: string; batchRunning: boolean; value: { warningMessagesCount: number } });
      expect(ends.every((batch) => !batch.batchRunning)).toBe(true);
      expect(ends.some((batch) => batch.status === 'ERROR')).toBe(true);
      expect(ends.some((batch) => batch.status === 'OK' && batch.value.warningMessagesCount > 0)).toBe(true);
      expect(demo.engine.running().length).toBeGreaterThan(0);
    } finally {
      await demo.close();
    }
  });
});
