import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectCode } from '../../../test/backend-suite.js';
import type { SlvStartInput } from './wire.js';
import type { BatchBackend } from '../../core/backend.js';
import { ErrorCode } from '../../core/errors.js';
import { slvModule, startSlvEmulator, type SlvEmulatorHandle } from './index.js';

const BACKEND = 'lights';

let emulator: SlvEmulatorHandle;
let backend: BatchBackend<SlvStartInput>;

const connect = (overrides: Record<string, unknown> = {}) =>
  slvModule.create(slvModule.configSchema.parse({ id: BACKEND, kind: 'slv', ...emulator.connection, auth: 'form', ...overrides }), { timeoutMs: 2000 });
const count = (suffix: string) => emulator.http.count((request) => request.path.endsWith(suffix));

beforeEach(async () => {
  emulator = await startSlvEmulator({ tickMs: 600_000 });
  backend = connect();
});
afterEach(async () => {
  await backend.dispose();
  await emulator.close();
});

describe('SLV connector with auth: form', () => {
  it('logs in once with j_security_check and then calls without any Basic credentials', async () => {
    const started = await backend.start({ kind: 'slv', operation: 'commissionController', controllerStrId: 'ctrl-1', flags: 5 });
    await backend.get(started.nativeId);
    await backend.get('1481016600181');
    expect(count('/j_security_check')).toBe(1);
    expect(emulator.http.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
  });

  it('logs in again when the server has dropped the session, and the call still succeeds', async () => {
    await backend.get('1481016600181');
    emulator.invalidateSessions();
    const batch = await backend.get('1481016600181');
    expect(batch.state).toBe('SUCCEEDED');
    expect(count('/j_security_check')).toBe(2);
  });

  it('answers BACKEND_UNAUTHORIZED for a wrong password, without the password in the error', async () => {
    const wrong = connect({ password: 'not-the-password-42' });
    try {
      const error = await expectCode(wrong.get('1481016600181'), ErrorCode.BACKEND_UNAUTHORIZED, BACKEND);
      expect(JSON.stringify({ message: error.message, extensions: error.extensions })).not.toContain('not-the-password-42');
    } finally {
      await wrong.dispose();
    }
  });
});
