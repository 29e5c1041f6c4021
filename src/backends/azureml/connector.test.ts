import { afterEach, describe, expect, it } from 'vitest';
import { expectCode } from '../../../test/backend-suite.js';
import { ErrorCode } from '../../core/errors.js';
import type { AzureMlStartInput } from './wire.js';
import { REPORT_BYTES, reportBytes } from './emulator/services.js';
import { drain, startHarness, type Harness } from './test-support.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});
const setup = async () => (harness = await startHarness());

const txRecords = [
  { hp: 110, wt: 2.62 },
  { hp: 110, wt: 2.875 },
  { hp: 93, wt: 2.32 },
  { hp: 175, wt: 3.44 },
  { hp: 105, wt: 3.46 },
];
const input = (service: string, version: string, records: unknown[], parallelCount = 2): AzureMlStartInput => ({
  kind: 'azureml',
  service,
  version,
  records,
  parallelCount,
});

describe('azureml connector', () => {
  it('runs a batch of N records to SUCCEEDED with N executions whose files download byte for byte', async () => {
    const { backend, emulator, runToEnd } = await setup();
    const started = await backend.start(input('TxService', '1.0', txRecords));
    expect({ state: started.state, nativeStatus: started.nativeStatus }).toEqual({ state: 'QUEUED', nativeStatus: 'Pending' });
    expect(started.nativeId).toMatch(/^TxService\/1\.0\/[0-9a-f-]{36}$/);

    const final = await runToEnd(started.nativeId);
    expect(final.state).toBe('SUCCEEDED');
    expect(final.nativeStatus).toBe('Complete');
    expect(final.progress).toEqual({ percent: 100, completedItems: 5, totalItems: 5, failedItems: 0, message: null });
    expect(final.executions.map((e) => [e.index, e.state, e.response?.statusCode])).toEqual(txRecords.map((_, i) => [i, 'SUCCEEDED', 200]));

    const service = emulator.services.find((s) => s.name === 'TxService')!;
    for (const [index, record] of txRecords.entries()) {
      expect(await backend.artifacts(final.nativeId, index)).toEqual([{ name: 'answer.csv', externalUrl: null }]);
      const file = await backend.openArtifact(final.nativeId, index, 'answer.csv');
      const expected = service.run(record, index).files['answer.csv']!();
      expect((await drain(file.body)).bytes.equals(expected)).toBe(true);
      expect({ type: file.contentType, length: file.contentLength }).toEqual({ type: 'application/octet-stream', length: expected.length });
    }
  });

  it('streams a megabyte artifact with its type and length passed through', async () => {
    const { backend, runToEnd } = await setup();
    const started = await backend.start(input('RenderReport', '2.0', [{ pages: 3 }, { pages: 9 }], 1));
    await runToEnd(started.nativeId);
    const file = await backend.openArtifact(started.nativeId, 1, 'report.bin');
    expect({ type: file.contentType, length: file.contentLength }).toEqual({ type: 'application/octet-stream', length: REPORT_BYTES });
    const { bytes, chunks } = await drain(file.body);
    expect(bytes.equals(reportBytes(9, 1))).toBe(true);
    expect(chunks).toBeGreaterThan(1);
  });

  it('shows partial results while the batch runs', async () => {
    const { backend, emulator } = await setup();
    const started = await backend.start(input('TxService', '1.0', [...txRecords, { hp: 120, wt: 3 }]));
    emulator.advance(3); // Ready, InProgress, first record done
    const running = await backend.get(started.nativeId);
    expect({ state: running.state, nativeStatus: running.nativeStatus }).toEqual({ state: 'RUNNING', nativeStatus: 'InProgress' });
    expect(running.executions.map((e) => e.index)).toEqual([0]);
    expect(running.progress).toMatchObject({ completedItems: 1, totalItems: 6, failedItems: 0 });
    expect(running.progress.percent).toBeCloseTo(100 / 6);
    expect(running.startedAt).toBeInstanceOf(Date);
    expect(running.finishedAt).toBeNull();
  });

  it('ends SUCCEEDED with failed items counted when some records fail', async () => {
    const { backend, runToEnd } = await setup();
    const started = await backend.start(input('TxService', '1.0', [{ hp: 100, wt: 2 }, { hp: 100 }, { wt: 3 }]));
    const final = await runToEnd(started.nativeId);
    expect(final.state).toBe('SUCCEEDED');
    expect(final.progress).toMatchObject({ failedItems: 2, message: '2 of 3 items failed' });
    expect(final.executions.map((e) => e.state)).toEqual(['SUCCEEDED', 'FAILED', 'FAILED']);
    expect(final.executions[1]!.response).toMatchObject({ statusCode: 500, body: { errorMessage: "ValueError: could not convert input 'wt' to numeric" } });
    expect(await backend.artifacts(started.nativeId, 1)).toEqual([]);
  });

  it('ends FAILED with the error when every record fails', async () => {
    const { backend, runToEnd } = await setup();
    const started = await backend.start(input('LegacyScorer', '0.1', [{ features: [1] }, { features: [2] }]));
    const final = await runToEnd(started.nativeId);
    expect(final.state).toBe('FAILED');
    expect(final.error).toEqual({ code: 'Failed', message: "ModuleNotFoundError: No module named 'revoscalepy.legacy'" });
    expect(final.finishedAt).toBeInstanceOf(Date);
  });

  it('cancels a running batch by deleting it and answers it as it was, CANCELLED', async () => {
    const { backend, emulator, count } = await setup();
    const started = await backend.start(input('TxService', '1.0', txRecords));
    emulator.advance(3);
    const cancelled = await backend.cancel(started.nativeId);
    expect(cancelled).toMatchObject({ nativeId: started.nativeId, state: 'CANCELLED', nativeStatus: 'InProgress', progress: { completedItems: 1 } });
    expect(count('DELETE', /\/batch\//)).toBe(1);
    await expectCode(backend.get(started.nativeId), ErrorCode.BATCH_NOT_FOUND, 'ml');
    await expectCode(backend.artifacts(started.nativeId, 0), ErrorCode.BATCH_NOT_FOUND, 'ml');
    await expectCode(backend.openArtifact(started.nativeId, 0, 'answer.csv'), ErrorCode.BATCH_NOT_FOUND, 'ml');
  });

  it('leaves a finished batch and its results in place when asked to cancel it', async () => {
    const { backend, runToEnd, count } = await setup();
    const started = await backend.start(input('Double', '1.0', [{ x: 1 }]));
    await runToEnd(started.nativeId);
    expect((await backend.cancel(started.nativeId)).state).toBe('SUCCEEDED');
    expect(count('DELETE', /\/batch\//)).toBe(0);
    expect((await backend.get(started.nativeId)).state).toBe('SUCCEEDED');
  });

  it('answers 404s by what is missing: the execution, the web service, the file or the index', async () => {
    const { backend, runToEnd, count } = await setup();
    const started = await backend.start(input('Double', '1.0', [{ x: 1 }]));
    await runToEnd(started.nativeId);
    await expectCode(backend.get('Double/1.0/00000000-0000-0000-0000-000000000000'), ErrorCode.BATCH_NOT_FOUND, 'ml');
    await expectCode(backend.get('NoSuchService/1.0/00000000-0000-0000-0000-000000000000'), ErrorCode.BATCH_NOT_FOUND, 'ml');
    const startError = await expectCode(backend.start(input('NoSuchService', '1.0', [{ x: 1 }])), ErrorCode.BAD_USER_INPUT, 'ml');
    expect(startError.extensions['upstream']).toEqual({ status: 404, code: 404, message: 'Web service not found' });
    await expectCode(backend.openArtifact(started.nativeId, 0, 'nothing.csv'), ErrorCode.BAD_USER_INPUT, 'ml');
    await expectCode(backend.artifacts(started.nativeId, 7), ErrorCode.BAD_USER_INPUT, 'ml');

    const before = count('GET', /./);
    await expectCode(backend.get('not-a-native-id'), ErrorCode.BAD_USER_INPUT, 'ml');
    await expectCode(backend.artifacts(started.nativeId, -1), ErrorCode.BAD_USER_INPUT, 'ml');
    expect(count('GET', /./)).toBe(before);
  });

  it('answers an empty artifact list for a record that wrote no files', async () => {
    const { backend, runToEnd } = await setup();
    const started = await backend.start(input('Double', '1.0', [{ x: 4 }]));
    const final = await runToEnd(started.nativeId);
    expect(final.executions[0]!.response!.body).toMatchObject({ outputParameters: { y: 8 } });
    expect(await backend.artifacts(started.nativeId, 0)).toEqual([]);
  });

  it('refuses records that are not a non-empty list of objects without calling the backend', async () => {
    const { backend, count } = await setup();
    await expectCode(backend.start(input('Double', '1.0', [])), ErrorCode.BAD_USER_INPUT, 'ml');
    await expectCode(backend.start(input('Double', '1.0', [1, 2])), ErrorCode.BAD_USER_INPUT, 'ml');
    await expectCode(backend.start(input('Double', '1.0', [{ x: 1 }], 0)), ErrorCode.BAD_USER_INPUT, 'ml');
    expect(count('POST', /\/batch$/)).toBe(0);
  });

  it('lists every execution of every service once, in stable pages, reading the catalogue once per page', async () => {
    const { backend, count } = await setup();
    const started = [];
    for (const [service, version] of [['TxService', '1.0'], ['Double', '1.0'], ['Double', '1.0'], ['RenderReport', '2.0'], ['TxService', '1.0']] as const) {
      started.push((await backend.start(input(service, version, [{ x: 1 }]))).nativeId);
    }
    const pages: string[][] = [];
    let cursor: string | null = null;
    const servicesBefore = count('GET', '/services');
    do {
      const page = await backend.list({ limit: 2, cursor });
      pages.push(page.items.map((b) => b.nativeId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...started].sort());
    expect(count('GET', '/services') - servicesBefore).toBe(3);

    const again = await backend.list({ limit: 100 });
    expect(again.items.map((b) => b.nativeId)).toEqual(pages.flat());
    expect(again.nextCursor).toBeNull();
  });

  it('filters the list by state across pages', async () => {
    const { backend, runToEnd } = await setup();
    const done = await backend.start(input('Double', '1.0', [{ x: 1 }]));
    await runToEnd(done.nativeId);
    const failed = await backend.start(input('LegacyScorer', '0.1', [{ features: [] }]));
    await runToEnd(failed.nativeId);
    const queued = await backend.start(input('TxService', '1.0', [{ hp: 1, wt: 1 }]));
    const page = await backend.list({ limit: 10, states: ['QUEUED', 'RUNNING'] });
    expect(page.items.map((b) => b.nativeId)).toEqual([queued.nativeId]);
    expect((await backend.list({ limit: 1, states: ['FAILED'] })).items.map((b) => b.nativeId)).toEqual([failed.nativeId]);
  });

  it('refuses a cursor it did not issue', async () => {
    const { backend } = await setup();
    await expectCode(backend.list({ limit: 5, cursor: 'bm9wZQ' }), ErrorCode.BAD_USER_INPUT, 'ml');
  });

  it('times only the phase changes it witnessed', async () => {
    const { backend, emulator, runToEnd } = await setup();
    const watched = await backend.start(input('Double', '1.0', [{ x: 1 }]));
    const final = await runToEnd(watched.nativeId);
    expect(final.createdAt).toBeInstanceOf(Date);
    expect(final.createdAt!.getTime()).toBeLessThanOrEqual(final.startedAt!.getTime());
    expect(final.startedAt!.getTime()).toBeLessThanOrEqual(final.finishedAt!.getTime());

    // Started and finished behind the connector's back: nothing to time.
    const unseen = emulator.batches.start(emulator.services.find((s) => s.name === 'Double')!, [{ x: 2 }], 1);
    emulator.advance(5);
    const found = await backend.get(`Double/1.0/${unseen.id}`);
    expect({ state: found.state, createdAt: found.createdAt, startedAt: found.startedAt, finishedAt: found.finishedAt }).toEqual({
      state: 'SUCCEEDED',
      createdAt: null,
      startedAt: null,
      finishedAt: null,
    });
  });

  it('answers BACKEND_UNAVAILABLE for a download while the backend is down or failing', async () => {
    const { backend, emulator, runToEnd } = await setup();
    const started = await backend.start(input('Double', '1.0', [{ x: 1 }]));
    await runToEnd(started.nativeId);
    for (const fault of [{ kind: 'status', status: 503 }, { kind: 'down' }] as const) {
      await emulator.http.setFaults([{ fault }]);
      await expectCode(backend.openArtifact(started.nativeId, 0, 'any.csv'), ErrorCode.BACKEND_UNAVAILABLE, 'ml');
      await emulator.http.setFaults([]);
    }
  });
});
