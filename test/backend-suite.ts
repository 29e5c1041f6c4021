/**
 * The conformance suite every backend passes: the same observable behaviours, checked through the
 * `BatchBackend` seam against the backend's own emulator over real HTTP. Each backend's test file
 * calls `describeBackendConformance(module)`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BatchBackend } from '../src/core/backend.js';
import { ErrorCode, GatewayError } from '../src/core/errors.js';
import { isTerminal, type Batch } from '../src/core/model.js';
import type { BackendModule, EmulatorHandle } from '../src/backends/module.js';
import type { Fault } from '../src/backends/emulator-kit/index.js';

export interface ConformanceOptions {
  /** A native id the emulator has never issued, in the backend's own format. */
  unknownNativeId: string;
  /** Upstream timeout given to the connector; the `slow` fault waits longer than this. @default 500 */
  timeoutMs?: number;
}

const TEST_BACKEND_ID = 'conformance';

/** Reads until `done` holds and answers that value: vi.waitFor, kept behind this name because the backends' own tests call it. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await read();
      if (!done(value)) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
      return value;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

export async function expectCode(promise: Promise<unknown>, code: ErrorCode, backend = TEST_BACKEND_ID): Promise<GatewayError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(GatewayError);
  const gatewayError = error as GatewayError;
  expect({ code: gatewayError.code, backend: gatewayError.backend }).toEqual({ code, backend });
  return gatewayError;
}

export function describeBackendConformance(module: BackendModule, options: ConformanceOptions): void {
  const timeoutMs = options.timeoutMs ?? 500;

  describe(`${module.kind} backend conformance`, () => {
    let emulator: EmulatorHandle;
    let backend: BatchBackend;

    beforeAll(async () => {
      emulator = await module.startEmulator({ tickMs: 30 });
      const config = module.configSchema.parse({ id: TEST_BACKEND_ID, kind: module.kind, ...emulator.connection });
      backend = module.create(config, { timeoutMs });
    });
    afterAll(async () => {
      await backend?.dispose();
      await emulator?.close();
    });

    it('answers its health probe', async () => {
      await expect(backend.probe()).resolves.toBeUndefined();
    });

    it('starts a batch that the backend then reports by the same native id', async () => {
      const started = await backend.start(module.sampleStartInput());
      expect(started.backendId).toBe(TEST_BACKEND_ID);
      expect(started.nativeId).not.toBe('');
      const fetched = await backend.get(started.nativeId);
      expect(fetched.nativeId).toBe(started.nativeId);
      expect(fetched.nativeStatus).not.toBe('');
    });

    it('runs a started batch to SUCCEEDED with progress on the way', async () => {
      const started = await backend.start(module.sampleStartInput());
      const seen = new Set<string>();
      const final = await waitFor(
        () => backend.get(started.nativeId),
        (batch: Batch) => {
          seen.add(batch.state);
          return isTerminal(batch.state);
        },
      );
      expect(final.state).toBe('SUCCEEDED');
      expect(final.finishedAt).toBeInstanceOf(Date);
      expect(final.executions.length).toBeGreaterThan(0);
      expect(final.progress.percent === null || final.progress.percent === 100).toBe(true);
    });

    it('lists started batches, or says UNSUPPORTED when it cannot list', async () => {
      const started = await backend.start(module.sampleStartInput());
      if (!backend.capabilities.list) {
        await expectCode(backend.list({ limit: 10 }), ErrorCode.UNSUPPORTED);
        return;
      }
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await backend.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        ids.push(...page.items.map((batch) => batch.nativeId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(ids).toContain(started.nativeId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('cancels a running batch', async () => {
      const started = await backend.start(module.sampleStartInput());
      if (!backend.capabilities.cancel) {
        await expectCode(backend.cancel(started.nativeId), ErrorCode.UNSUPPORTED);
        return;
      }
      const afterCancel = await backend.cancel(started.nativeId);
      expect(['CANCELLING', 'CANCELLED']).toContain(afterCancel.state);
      if (backend.capabilities.forgetsCancelled) {
        await expectCode(backend.get(started.nativeId), ErrorCode.BATCH_NOT_FOUND);
      } else {
        const final = await waitFor(() => backend.get(started.nativeId), (batch) => isTerminal(batch.state));
        expect(final.state).toBe('CANCELLED');
      }
    });

    it('answers BATCH_NOT_FOUND for an id the backend never issued', async () => {
      await expectCode(backend.get(options.unknownNativeId), ErrorCode.BATCH_NOT_FOUND);
    });

    const faults: Array<[string, Fault, ErrorCode]> = [
      ['refuses connections', { kind: 'down' }, ErrorCode.BACKEND_UNAVAILABLE],
      ['answers slower than the timeout', { kind: 'slow', delayMs: timeoutMs * 4 }, ErrorCode.BACKEND_TIMEOUT],
      ['answers 503', { kind: 'status', status: 503 }, ErrorCode.BACKEND_UNAVAILABLE],
      ['refuses our credentials', { kind: 'unauthorized' }, ErrorCode.BACKEND_UNAUTHORIZED],
      ['answers garbage', { kind: 'garbage' }, ErrorCode.BACKEND_ERROR],
      ['resets the connection mid-body', { kind: 'reset' }, ErrorCode.BACKEND_UNAVAILABLE],
    ];
    for (const [what, fault, code] of faults) {
      it(`answers ${code} when the backend ${what}, and recovers after`, async () => {
        const started = await backend.start(module.sampleStartInput());
        await emulator.http.setFaults([{ fault }]);
        try {
          await expectCode(backend.get(started.nativeId), code);
        } finally {
          await emulator.http.setFaults([]);
        }
        const recovered = await backend.get(started.nativeId);
        expect(recovered.nativeId).toBe(started.nativeId);
      });
    }
  });
}
