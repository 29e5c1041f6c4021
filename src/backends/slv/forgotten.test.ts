import { describe, expect, it } from 'vitest';
import { expectCode } from '../../../test/backend-suite.js';
import { ErrorCode } from '../../core/errors.js';
import type { SlvUnknownBatchAnswer } from './emulator/server.js';
import { SLV_TEST_BACKEND, useSlvFixture } from './test-fixture.js';

const BACKEND = SLV_TEST_BACKEND;
const slv = useSlvFixture({ tickMs: 600_000, config: { forgottenAfterAnswers: 3 } });
const { connect } = slv;

/** A batch the connector has seen running, which the server then forgets. */
async function forgottenBatch(answer: SlvUnknownBatchAnswer): Promise<string> {
  const started = await slv.backend.start({ kind: 'slv', operation: 'commissionController', controllerStrId: 'ctrl-9', flags: 5 });
  expect((await slv.backend.get(started.nativeId)).state).not.toBe('SUCCEEDED');
  slv.emulator.unknownBatchAnswer = answer;
  slv.emulator.forget(started.nativeId);
  return started.nativeId;
}

describe('SLV batches the server forgot', () => {
  for (const [answer, code] of [
    ['unknown-batch', ErrorCode.BATCH_NOT_FOUND],
    ['generic-error', ErrorCode.BACKEND_ERROR],
    ['exception-text', ErrorCode.BACKEND_ERROR],
    ['server-error', ErrorCode.BACKEND_UNAVAILABLE],
  ] as const) {
    it(`reports a known batch answered with "${answer}" as forgotten on the third such answer in a row, not before`, async () => {
      const nativeId = await forgottenBatch(answer);
      for (let poll = 1; poll <= 2; poll += 1) {
        const error = await expectCode(slv.backend.get(nativeId), code, BACKEND);
        expect(error.extensions['forgotten']).toBeUndefined();
      }
      const final = await expectCode(slv.backend.get(nativeId), ErrorCode.BATCH_NOT_FOUND, BACKEND);
      expect(final.extensions['forgotten']).toBe(true);
      expect(final.message).toContain(`no longer knows batch ${nativeId}`);
      expect(final.message).toContain('3 answer(s)');
    });
  }

  it('reports it forgotten after forgottenAfterMs of such answers even before the count is reached', async () => {
    await slv.backend.dispose();
    slv.backend = connect({ forgottenAfterAnswers: 1000, forgottenAfterMs: 150 });
    const nativeId = await forgottenBatch('generic-error');
    await expectCode(slv.backend.get(nativeId), ErrorCode.BACKEND_ERROR, BACKEND);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const final = await expectCode(slv.backend.get(nativeId), ErrorCode.BATCH_NOT_FOUND, BACKEND);
    expect(final.extensions['forgotten']).toBe(true);
  });

  it('starts counting again after a good answer about the batch', async () => {
    const nativeId = await forgottenBatch('generic-error');
    await expectCode(slv.backend.get(nativeId), ErrorCode.BACKEND_ERROR, BACKEND);
    await expectCode(slv.backend.get(nativeId), ErrorCode.BACKEND_ERROR, BACKEND);
    slv.emulator.engine.pin(nativeId, { ...(slv.emulator.engine.get('1481016600181') as Record<string, unknown>), batchId: nativeId });
    expect((await slv.backend.get(nativeId)).state).toBe('SUCCEEDED');
    slv.emulator.forget(nativeId);
    await expectCode(slv.backend.get(nativeId), ErrorCode.BACKEND_ERROR, BACKEND);
    await expectCode(slv.backend.get(nativeId), ErrorCode.BACKEND_ERROR, BACKEND);
  });

  it('never calls a batch forgotten while the server fails every call, however long', async () => {
    const nativeId = await forgottenBatch('generic-error');
    await slv.emulator.http.setFaults([{ fault: { kind: 'status', status: 500 } }]);
    for (let poll = 1; poll <= 3; poll += 1) {
      const error = await expectCode(slv.backend.get(nativeId), ErrorCode.BACKEND_UNAVAILABLE, BACKEND);
      expect(error.extensions['forgotten']).toBeUndefined();
    }
  });

  it('answers BATCH_NOT_FOUND at once for an id it never saw, when the server says it is unknown', async () => {
    await expectCode(slv.backend.get('1000000000001'), ErrorCode.BATCH_NOT_FOUND, BACKEND);
    expect(slv.emulator.http.count((request) => request.path.endsWith('/getBatchResult'))).toBe(1);
  });
});
