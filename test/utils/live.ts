import { encodeBatchId } from '../../src/core/ids.js';
import { startSlvEmulator, type SlvEmulatorHandle } from '../../src/backends/slv/index.js';
import { commissionControllerScript } from '../../src/backends/slv/emulator/scripts.js';

/**
 * Helpers for live-progress tests: an SLV emulator whose batches the test scripts directly, exact
 * counts of the gateway's polls of one batch, and the subscriptions they watch.
 */

/** The backend id live tests give the SLV emulator in their configs. */
export const LIVE_BACKEND = 'lights';

export async function startLiveEmulator(tickMs: number): Promise<SlvEmulatorHandle> {
  return startSlvEmulator({ tickMs, password: 'live-test-password' });
}

/** A config entry for the emulator under `LIVE_BACKEND`. */
export const backendEntry = (emulator: SlvEmulatorHandle) => ({ id: LIVE_BACKEND, kind: 'slv', ...emulator.connection });

/**
 * Creates a batch straight in the emulator (not through a gateway, so no gateway read is counted)
 * that runs four steps of `ticksPerStep` ticks, or fails at the end when `fail` is set.
 */
export function scriptBatch(emulator: SlvEmulatorHandle, ticksPerStep: number, options: { fail?: boolean } = {}): { id: string; nativeId: string } {
  const controller = options.fail ? 'offline-live' : 'live-controller';
  const wire = emulator.engine.create(commissionControllerScript(controller, 7, { login: 'admin', ticksPerStep }));
  const nativeId = String(wire['batchId']);
  return { id: encodeBatchId(LIVE_BACKEND, nativeId), nativeId };
}

/** Upstream polls of one batch: SLV `GET …/api/batch/getBatchResult?batchId=…`. */
export const batchPolls = (emulator: SlvEmulatorHandle, nativeId: string, since = 0): number =>
  emulator.http.count((request) => request.path.endsWith('/api/batch/getBatchResult') && request.query.get('batchId') === nativeId && request.at >= since);

export const PROGRESS = /* GraphQL */ `
  subscription Progress($id: ID!) {
    batchProgress(id: $id) { terminal error { code backend } batch { id state progress { percent completedItems } } }
  }
`;

export const UPDATES = /* GraphQL */ `
  subscription Updates($backend: ID, $states: [BatchState!]) {
    batchUpdates(backend: $backend, states: $states) { terminal batch { id nativeId state } }
  }
`;

export interface ProgressEvent {
  terminal: boolean;
  error: { code: string; backend: string | null } | null;
  batch: { id: string; state: string; progress: { percent: number | null; completedItems: number | null } };
}

/** How live tests wait for a condition (`expect.poll`, `vi.waitFor`): often, and long enough for a loaded machine. */
export const LIVE_WAIT = { timeout: 15_000, interval: 20 };
