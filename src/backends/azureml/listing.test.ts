import { afterEach, describe, expect, it } from 'vitest';
import type { AzureMlStartInput } from './wire.js';
import type { BackendWarning, BatchBackend } from '../../core/backend.js';
import type { AzureMlConfig } from './config.js';
import { createAzureMlConnector } from './connector.js';
import { startAzureMlEmulator, type AzureMlEmulator } from './emulator/index.js';

let emulator: AzureMlEmulator;
let backend: BatchBackend<AzureMlStartInput>;
let warnings: BackendWarning[];
afterEach(async () => {
  await backend.dispose();
  await emulator.close();
});

async function setup(config: Partial<AzureMlConfig> = {}, emulatorOptions: { artifactIndexBase?: 0 | 1 } = {}, now?: () => number) {
  emulator = await startAzureMlEmulator({ tickMs: 600_000, ...emulatorOptions });
  warnings = [];
  backend = createAzureMlConnector(
    { id: 'ml', kind: 'azureml', ...emulator.connection, ...config },
    { timeoutMs: 2000, onWarning: (warning) => warnings.push(warning) },
    now ? { now } : {},
  );
}
const tx = (count: number) => Array.from({ length: count }, (_, at) => ({ hp: 100 + at, wt: 2.5 }));
const start = (service = 'TxService', version = '1.0', records: Array<Record<string, unknown>> = tx(3)) => backend.start({ kind: 'azureml', service, version, records, parallelCount: 10 });
const statusReads = () => emulator.http.count((request) => request.method === 'GET' && /\/batch\/[^/]+$/.test(request.path));

describe('ML Server listing', () => {
  it('skips a service whose batch list answers 403, 400 or 500, warns once per service and status, and lists the others', async () => {
    await setup();
    const kept = await start('TxService', '1.0');
    await start('Double', '1.0', [{ x: 1 }]);
    emulator.listFailures.set('Double/1.0', 403);
    for (let round = 0; round < 3; round += 1) {
      const page = await backend.list({ limit: 10 });
      expect(page.items.map((batch) => batch.nativeId)).toEqual([kept.nativeId]);
    }
    expect(warnings.map((warning) => [warning.reason, warning.log])).toEqual([
      ['list_forbidden', true],
      ['list_forbidden', false],
      ['list_forbidden', false],
    ]);
    expect(warnings[0]!.message).toContain('Double/1.0');
    emulator.listFailures.set('Double/1.0', 400);
    await backend.list({ limit: 10 });
    emulator.listFailures.set('Double/1.0', 500);
    await backend.list({ limit: 10 });
    expect(warnings.slice(3).map((warning) => [warning.reason, warning.log])).toEqual([
      ['list_bad_request', true],
      ['list_unavailable', true],
    ]);
  });

  it('reads statuses without partial results, and a finished execution only once', async () => {
    await setup();
    const finished = await start();
    emulator.advance(20);
    const running = await start();
    emulator.advance(2);
    emulator.http.clearRequests();
    await backend.list({ limit: 10 });
    expect(statusReads()).toBe(2);
    expect(emulator.http.requests.filter((request) => /\/batch\/[^/]+$/.test(request.path)).every((request) => request.query.get('showPartialResults') === 'false')).toBe(true);
    emulator.http.clearRequests();
    const again = await backend.list({ limit: 10 });
    // Only the running one is read again; the finished one comes whole from memory.
    expect(statusReads()).toBe(1);
    expect(again.items.find((batch) => batch.nativeId === finished.nativeId)).toMatchObject({ state: 'SUCCEEDED', executions: [{}, {}, {}] });
    expect(again.items.find((batch) => batch.nativeId === running.nativeId)?.state).not.toBe('SUCCEEDED');
  });
});

describe('ML Server state words', () => {
  it('keeps an unknown word as nativeStatus, logs it once, and reports the batch FAILED after unknownStateAfterMs', async () => {
    let clock = Date.now();
    await setup({ unknownStateAfterMs: 60_000 }, {}, () => clock);
    const started = await start();
    const execution = emulator.batches.get(emulator.services.find((service) => service.name === 'TxService')!, started.nativeId.split('/')[2]!)!;
    (execution as { state: string }).state = 'Suspended';
    const first = await backend.get(started.nativeId);
    expect({ state: first.state, nativeStatus: first.nativeStatus, error: first.error }).toEqual({ state: 'RUNNING', nativeStatus: 'Suspended', error: null });
    clock += 30_000;
    expect((await backend.get(started.nativeId)).state).toBe('RUNNING');
    clock += 30_000;
    const bounded = await backend.get(started.nativeId);
    expect(bounded).toMatchObject({ state: 'FAILED', nativeStatus: 'Suspended', error: { code: 'UNKNOWN_STATE' } });
    expect(warnings.map((warning) => [warning.reason, warning.log])).toEqual([
      ['unknown_state', true],
      ['unknown_state', false],
      ['unknown_state', false],
    ]);
  });
});

describe('ML Server artifact index base', () => {
  it('asks …/1/files for execution 0 by default, and …/0/files with artifactIndexBase 0', async () => {
    for (const base of [1, 0] as const) {
      await setup({ artifactIndexBase: base }, { artifactIndexBase: base });
      const started = await start();
      emulator.advance(20);
      expect(await backend.artifacts(started.nativeId, 0)).toEqual([{ name: 'answer.csv', externalUrl: null }]);
      expect(emulator.http.requests.filter((request) => request.path.endsWith('/files')).map((request) => request.path.split('/').at(-2))).toEqual([String(base)]);
      await backend.dispose();
      await emulator.close();
    }
    await setup();
  });
});
