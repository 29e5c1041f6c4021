import { afterEach, beforeEach } from 'vitest';
import type { BatchBackend } from '../../core/backend.js';
import { slvModule, startSlvEmulator, type SlvEmulatorHandle } from './index.js';
import type { SlvStartInput } from './wire.js';

/** The backend id this folder's tests configure. */
export const SLV_TEST_BACKEND = 'lights';

export interface SlvTestFixture {
  /** Fresh for each test. */
  emulator: SlvEmulatorHandle;
  /** Connected to `emulator` with the fixture's config, fresh for each test. */
  backend: BatchBackend<SlvStartInput>;
  /** Another connector to `emulator` (disposed by the caller), config fields overridden. */
  connect(overrides?: Record<string, unknown>): BatchBackend<SlvStartInput>;
}

/** Shared by this backend's tests: an emulator and a connector to it started before each test and closed after it. */
export function useSlvFixture(options: { tickMs: number; config?: Record<string, unknown> }): SlvTestFixture {
  const fixture = {
    connect: (overrides: Record<string, unknown> = {}) =>
      slvModule.create(slvModule.configSchema.parse({ id: SLV_TEST_BACKEND, kind: 'slv', ...fixture.emulator.connection, ...options.config, ...overrides }), { timeoutMs: 2000 }),
  } as SlvTestFixture;
  beforeEach(async () => {
    fixture.emulator = await startSlvEmulator({ tickMs: options.tickMs });
    fixture.backend = fixture.connect();
  });
  afterEach(async () => {
    await fixture.backend.dispose();
    await fixture.emulator.close();
  });
  return fixture;
}
