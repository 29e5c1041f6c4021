import { describe, expect, it } from 'vitest';
import { expectCode, waitFor } from '../../../test/backend-suite.js';
import { ErrorCode } from '../../core/errors.js';
import { batchSteps, isTerminal, type Batch } from '../../core/model.js';
import type { RecordedRequest } from '../emulator-kit/index.js';
import { slvModule, startSlvEmulator } from './index.js';
import { SLV_TEST_BACKEND, useSlvFixture } from './test-fixture.js';
import type { SlvStartInput } from './wire.js';

const BACKEND = SLV_TEST_BACKEND;
const slv = useSlvFixture({ tickMs: 20 });
const { connect } = slv;

const calls = (suffix: string, method?: string) =>
  slv.emulator.http.count((request: RecordedRequest) => request.path.endsWith(suffix) && (method === undefined || request.method === method));
const untilTerminal = (nativeId: string) => waitFor(() => slv.backend.get(nativeId), (batch: Batch) => isTerminal(batch.state));
const texts = (batch: Batch, severity: string) =>
  batchSteps(batch).flatMap((step) => step.messages.filter((message) => message.severity === severity).map((message) => message.text));

describe('SLV connector: starting and following batches', () => {
  const operations: Array<[string, SlvStartInput]> = [
    ['commissionControllerAsync', { kind: 'slv', operation: 'commissionController', controllerStrId: 'ctrl-1', flags: 7 }],
    ['commissionControllerDevicesListAsync', { kind: 'slv', operation: 'commissionDevices', controllerStrId: 'ctrl-1', idOnController: ['a', 'b', 'c'] }],
    ['importDevicesFromCsvFileAsync', { kind: 'slv', operation: 'importDevicesCsv', csv: 'idOnController;name\nlamp-1;Lamp 1\nlamp-2;Lamp 2\n' }],
  ];
  for (const [method, input] of operations) {
    it(`starts ${method} with one POST and follows it to SUCCEEDED`, async () => {
      const started = await slv.backend.start(input);
      expect({ state: started.state, percent: started.progress.percent, name: started.name }).toEqual({ state: 'QUEUED', percent: null, name: method });
      expect(started.nativeId).toMatch(/^\d{13}$/);
      expect(calls(`/${method}`, 'POST')).toBe(1);

      const final = await untilTerminal(started.nativeId);
      expect({ state: final.state, nativeStatus: final.nativeStatus, percent: final.progress.percent, name: final.name }).toEqual({
        state: 'SUCCEEDED',
        nativeStatus: 'OK',
        percent: 100,
        name: method,
      });
      expect(final.finishedAt).toBeInstanceOf(Date);
      expect(batchSteps(final).length).toBeGreaterThan(1);
      expect(batchSteps(final).every((step) => step.status === 'OK')).toBe(true);
    });
  }

  it('sends every listed device as a repeated idOnController', async () => {
    const started = await slv.backend.start({ kind: 'slv', operation: 'commissionDevices', controllerStrId: 'ctrl-2', idOnController: ['a', 'b', 'c'] });
    const final = await untilTerminal(started.nativeId);
    expect(texts(final, 'INFO')).toContain('3 devices in list. 3 were pushed. 0 were ignored and 0 were not pushed because not found on controller.');
  });

  it('ends a commissioning with unknown devices as SUCCEEDED with a WARNING step', async () => {
    const started = await slv.backend.start({ kind: 'slv', operation: 'commissionDevices', controllerStrId: 'ctrl-3', idOnController: ['a', 'missing-b'] });
    const final = await untilTerminal(started.nativeId);
    expect(final.state).toBe('SUCCEEDED');
    expect(batchSteps(final).map((step) => step.status)).toEqual(['OK', 'WARNING']);
    expect(texts(final, 'WARNING')).toEqual(["Device 'missing-b' was not found on controller 'ctrl-3'"]);
  });

  it('ends a commissioning of an offline controller as FAILED with the upstream error', async () => {
    const started = await slv.backend.start({ kind: 'slv', operation: 'commissionController', controllerStrId: 'offline-9', flags: 5 });
    const final = await untilTerminal(started.nativeId);
    expect({ state: final.state, nativeStatus: final.nativeStatus, code: final.error?.code }).toEqual({ state: 'FAILED', nativeStatus: 'ERROR', code: '500' });
    expect(batchSteps(final).some((step) => step.status === 'ERROR')).toBe(true);
  });

  it('ends an import of a CSV without device lines as FAILED', async () => {
    const started = await slv.backend.start({ kind: 'slv', operation: 'importDevicesCsv', csv: 'idOnController;name\n' });
    expect((await untilTerminal(started.nativeId)).state).toBe('FAILED');
  });

  it('maps the reference sample batch the emulator serves verbatim', async () => {
    const batch = await slv.backend.get('1481016600181');
    expect({ state: batch.state, percent: batch.progress.percent, message: batch.progress.message, steps: batchSteps(batch).length }).toEqual({
      state: 'SUCCEEDED',
      percent: 100,
      message: 'Commissioning process finished.',
      steps: 2,
    });
    expect(texts(batch, 'INFO')).toHaveLength(4);
  });

  it('answers BACKEND_ERROR with SLV code, label and message when SLV rejects a start', async () => {
    const error = await expectCode(
      slv.backend.start({ kind: 'slv', operation: 'commissionDevices', controllerStrId: 'ctrl-1', idOnController: [] }),
      ErrorCode.BACKEND_ERROR,
      BACKEND,
    );
    expect(error.extensions['upstream']).toEqual({ code: '602', label: 'Invalid parameter', message: "Missing parameter 'idOnController'" });
  });

  it('answers BATCH_NOT_FOUND for an unknown batch, and for a non-numeric id without calling SLV', async () => {
    const error = await expectCode(slv.backend.get('1000000000000'), ErrorCode.BATCH_NOT_FOUND, BACKEND);
    expect((error.extensions['upstream'] as { code: string }).code).toBe('604');
    await expectCode(slv.backend.get('not-a-batch'), ErrorCode.BATCH_NOT_FOUND, BACKEND);
    expect(calls('/getBatchResult')).toBe(1);
  });

  it('says UNSUPPORTED for list', async () => {
    await expectCode(slv.backend.list({ limit: 10 }), ErrorCode.UNSUPPORTED, BACKEND);
    expect(slv.emulator.http.count()).toBe(0);
  });
});

describe('SLV connector: cancelling', () => {
  it('asks for a cancel once, answers CANCELLING, then sees CANCELLED', async () => {
    const started = await slv.backend.start({ kind: 'slv', operation: 'commissionController', controllerStrId: 'ctrl-1', flags: 7 });
    const cancelling = await slv.backend.cancel(started.nativeId);
    expect({ state: cancelling.state, nativeStatus: cancelling.nativeStatus }).toEqual({ state: 'CANCELLING', nativeStatus: 'CANCELREQUESTED' });
    expect(calls('/api/batch/cancelBatch', 'POST')).toBe(1);
    const final = await untilTerminal(started.nativeId);
    expect({ state: final.state, nativeStatus: final.nativeStatus, percent: final.progress.percent !== 100 }).toEqual({
      state: 'CANCELLED',
      nativeStatus: 'CANCELLED',
      percent: true,
    });
  });

  for (const mode of ['not-found', 'unknown-method'] as const) {
    it(`answers UNSUPPORTED when the server has no cancel method (${mode})`, async () => {
      const started = await slv.backend.start(slvModule.sampleStartInput());
      slv.emulator.cancelSupport = mode;
      await expectCode(slv.backend.cancel(started.nativeId), ErrorCode.UNSUPPORTED, BACKEND);
      expect(calls('/api/batch/cancelBatch')).toBe(1);
    });
  }
});

describe('SLV connector: session and CSRF handshake', () => {
  it('makes one handshake for many concurrent first calls and sends its token on each', async () => {
    const ids = [1, 2, 3].map(() => slv.emulator.engine.create({ steps: [], finishMessage: 'done', login: 'admin' })['batchId'] as string);
    const batches = await Promise.all(Array.from({ length: 20 }, (_, at) => slv.backend.get(ids[at % 3] as string)));
    expect(batches).toHaveLength(20);
    expect(calls('/api/userprofile/getCurrentUser')).toBe(1);
    expect(calls('/api/batch/getBatchResult')).toBe(20);
    const handshake = slv.emulator.http.requests.find((request) => request.path.endsWith('/getCurrentUser'));
    expect(handshake?.headers['x-csrf-token']).toBe('Fetch');
    expect(handshake?.headers['x-requested-with']).toBe('XMLHttpRequest');
    const tokens = new Set(slv.emulator.http.requests.filter((request) => request.path.endsWith('/getBatchResult')).map((request) => request.headers['x-csrf-token']));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(slv.emulator.sessionCount).toBe(1);
  });

  it('redoes the handshake exactly once when the server drops the session under concurrent POSTs', async () => {
    await slv.backend.probe();
    slv.emulator.invalidateSessions();
    const started = await Promise.all(Array.from({ length: 5 }, () => slv.backend.start(slvModule.sampleStartInput())));
    expect(new Set(started.map((batch) => batch.nativeId)).size).toBe(5);
    expect(calls('/api/userprofile/getCurrentUser')).toBe(2);
    // Five refused with the dead session's token, five accepted after the one new handshake.
    expect(calls('/commissionControllerAsync', 'POST')).toBe(10);
    expect(slv.emulator.sessionCount).toBe(1);
  });

  it('probes with one call: the handshake first, then getCurrentUser', async () => {
    await slv.backend.probe();
    await slv.backend.probe();
    expect(calls('/api/userprofile/getCurrentUser')).toBe(2);
    expect(slv.emulator.http.count()).toBe(2);
  });

  it('answers BACKEND_UNAUTHORIZED for a wrong password without leaking it', async () => {
    const wrong = connect({ password: 'not-the-password' });
    try {
      const error = await expectCode(wrong.get('1481016600181'), ErrorCode.BACKEND_UNAUTHORIZED, BACKEND);
      expect(JSON.stringify({ message: error.message, extensions: error.extensions })).not.toContain('not-the-password');
      expect(calls('/api/userprofile/getCurrentUser')).toBe(1);
      expect(calls('/api/batch/getBatchResult')).toBe(0);
    } finally {
      await wrong.dispose();
    }
  });

  it('falls back to plain Basic auth against an SLV before 7.8 that hands out no token', async () => {
    const legacy = await startSlvEmulator({ tickMs: 20, csrf: false });
    const old = slvModule.create(slvModule.configSchema.parse({ id: BACKEND, kind: 'slv', ...legacy.connection }), { timeoutMs: 2000 });
    try {
      const started = await old.start(slvModule.sampleStartInput());
      await old.get(started.nativeId);
      const count = (suffix: string) => legacy.http.count((request) => request.path.endsWith(suffix));
      expect([count('/getCurrentUser'), count('/commissionControllerAsync'), count('/getBatchResult')]).toEqual([1, 1, 1]);
      const later = legacy.http.requests.filter((request) => !request.path.endsWith('/getCurrentUser'));
      expect(later.map((request) => request.headers['x-csrf-token'])).toEqual([undefined, undefined]);
      expect(later.every((request) => request.headers.authorization?.startsWith('Basic '))).toBe(true);
    } finally {
      await old.dispose();
      await legacy.close();
    }
  });
});
