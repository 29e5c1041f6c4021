import { describe, expect, it } from 'vitest';
import { expectCode } from '../../../test/backend-suite.js';
import { ErrorCode } from '../../core/errors.js';
import { SLV_TEST_BACKEND, useSlvFixture } from './test-fixture.js';

const BACKEND = SLV_TEST_BACKEND;
const slv = useSlvFixture({ tickMs: 600_000, config: { auth: 'form' } });
const { connect } = slv;
const count = (suffix: string) => slv.emulator.http.count((request) => request.path.endsWith(suffix));

describe('SLV connector with auth: form', () => {
  it('logs in once with j_security_check and then calls without any Basic credentials', async () => {
    const started = await slv.backend.start({ kind: 'slv', operation: 'commissionController', controllerStrId: 'ctrl-1', flags: 5 });
    await slv.backend.get(started.nativeId);
    await slv.backend.get('1481016600181');
    expect(count('/j_security_check')).toBe(1);
    expect(slv.emulator.http.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
  });

  it('logs in again when the server has dropped the session, and the call still succeeds', async () => {
    await slv.backend.get('1481016600181');
    slv.emulator.invalidateSessions();
    const batch = await slv.backend.get('1481016600181');
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
