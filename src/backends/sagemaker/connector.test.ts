import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../emulator-kit/index.js';
import { sageMakerConfigSchema } from './config.js';
import { createSageMakerConnector } from './connector.js';
import { startSageMakerEmulator, type SageMakerEmulatorHandle } from './emulator/index.js';
import { sageMakerModule } from './index.js';

const isCreate = (request: RecordedRequest) => request.headers['x-amz-target'] === 'SageMaker.CreateTransformJob';

describe('SageMaker starts with an idempotency key', () => {
  let emulator: SageMakerEmulatorHandle;
  beforeAll(async () => {
    emulator = await startSageMakerEmulator({ tickMs: 60_000 });
  });
  afterAll(() => emulator.close());

  it('name the job after the key, so a repeated start is one job', async () => {
    const backend = createSageMakerConnector(sageMakerConfigSchema.parse({ id: 'sm-test', kind: 'sagemaker', ...emulator.connection, nameContains: 'team' }), { timeoutMs: 2000 });
    try {
      const first = await backend.start(sageMakerModule.sampleStartInput(), { idempotencyKey: 'nightly-2026-12-05' });
      const again = await backend.start(sageMakerModule.sampleStartInput(), { idempotencyKey: 'nightly-2026-12-05' });
      const other = await backend.start(sageMakerModule.sampleStartInput());
      expect(first.nativeId).toMatch(/^team-[0-9a-f]{40}$/);
      expect(again.nativeId).toBe(first.nativeId);
      expect(other.nativeId).not.toBe(first.nativeId);
      expect(emulator.http.count(isCreate)).toBe(3);
    } finally {
      await backend.dispose();
    }
  });
});
