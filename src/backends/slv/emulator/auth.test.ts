import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlvEmulator, type SlvEmulatorHandle } from './server.js';

let emulator: SlvEmulatorHandle;

beforeEach(async () => {
  emulator = await startSlvEmulator({ tickMs: 600_000, password: 'emulator-pass' });
});
afterEach(async () => {
  await emulator.close();
});

/** A tiny cookie jar over fetch, as a browser keeps the session of a form login. */
function browser() {
  let cookie = '';
  return async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${emulator.url}/${path}`, { redirect: 'manual', ...init, headers: { ...(cookie ? { cookie } : {}), ...init.headers } });
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0] ?? '';
    return response;
  };
}
const loginForm = (password: string) => ({
  method: 'POST',
  body: new URLSearchParams({ j_username: 'admin', j_password: password }).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe('SLV emulator authentication as the real server does it', () => {
  it("serves Python's HTTPBasicAuthHandler, which sends credentials only after the 401 challenge", async () => {
    const script = [
      'import json, sys, urllib.request',
      'url, password = sys.argv[1], sys.argv[2]',
      'manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()',
      'manager.add_password(None, url, "admin", password)',
      'opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager))',
      'print(json.load(opener.open(url + "/api/batch/getBatchResult?batchId=1481016600181&ser=json"))["batchProgressMessage"])',
    ].join('\n');
    const { stdout } = await promisify(execFile)('python3', ['-c', script, emulator.url, 'emulator-pass'], { timeout: 30_000 });
    expect(stdout.trim()).toBe('Commissioning process finished.');
    const asked = emulator.http.requests.filter((request) => request.path.endsWith('/getBatchResult'));
    // First without credentials (challenged), then with them.
    expect(asked.map((request) => request.headers.authorization === undefined)).toEqual([true, false]);
  });

  it('logs in with a form: auth.json, j_security_check answers 302, then the cookie session works without Basic', async () => {
    const session = browser();
    expect((await session('auth.json')).headers.get('content-type')).toMatch(/text\/html/);
    const login = await session('j_security_check', loginForm('emulator-pass'));
    expect(login.status).toBe(302);
    expect(await (await session('auth.json')).json()).toEqual({ authenticated: 'true' });
    const batch = await session('api/batch/getBatchResult?batchId=1481016600181&ser=json');
    expect(((await batch.json()) as Record<string, unknown>)['batchId']).toBe('1481016600181');
  });

  it('answers a wrong form login with the login page again, and leaves the session unauthenticated', async () => {
    const session = browser();
    await session('auth.json');
    const login = await session('j_security_check', loginForm('wrong'));
    expect([login.status, login.headers.get('content-type')]).toEqual([200, 'text/html;charset=UTF-8']);
    const api = await session('api/batch/getBatchResult?batchId=1481016600181&ser=json');
    expect(api.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('starts a CSV import through the legacy servlet path SLVLoggingManagementAPI', async () => {
    const response = await fetch(`${emulator.url}/api/servlet/SLVLoggingManagementAPI`, {
      method: 'POST',
      body: new URLSearchParams({ methodName: 'importDevicesFromCsvFileAsync', ser: 'json', csvFile: 'idOnController;name\nlamp-1;Lamp 1' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('admin:emulator-pass').toString('base64')}` },
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ batchRunning: true, status: 'OK' });
    expect(body['batchId']).toMatch(/^\d{13}$/);
  });
});
