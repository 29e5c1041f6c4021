import type { Readable } from 'node:stream';
import { isTerminal, type Batch } from '../../core/model.js';
import type { BatchBackend } from '../../core/backend.js';
import type { AzureMlStartInput } from './wire.js';
import { createAzureMlConnector, type AzureMlConnectorOptions } from './connector.js';
import { startAzureMlEmulator, type AzureMlEmulator, type AzureMlEmulatorOptions } from './emulator/index.js';

/**
 * Shared by this backend's tests: an emulator whose timer never fires on its own (tests step it with
 * `advance`), a connector pointed at it, and one cleanup for both.
 */
export interface Harness {
  emulator: AzureMlEmulator;
  backend: BatchBackend<AzureMlStartInput>;
  /** Requests the emulator received on paths matching `path`. */
  count(method: string, path: RegExp | string): number;
  /** Steps the emulator until the batch ends (at most `maxTicks`), answering the final batch. */
  runToEnd(nativeId: string, maxTicks?: number): Promise<Batch>;
  close(): Promise<void>;
}

export async function startHarness(
  options: AzureMlEmulatorOptions & { connector?: AzureMlConnectorOptions; timeoutMs?: number } = {},
): Promise<Harness> {
  const emulator = await startAzureMlEmulator({ tickMs: 600_000, ...options });
  const backend = createAzureMlConnector({ id: 'ml', kind: 'azureml', ...emulator.connection }, { timeoutMs: options.timeoutMs ?? 2000 }, options.connector);
  return {
    emulator,
    backend,
    count: (method, path) =>
      emulator.http.count((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))),
    async runToEnd(nativeId, maxTicks = 200) {
      for (let i = 0; i < maxTicks; i += 1) {
        const batch = await backend.get(nativeId);
        if (isTerminal(batch.state)) return batch;
        emulator.advance();
      }
      throw new Error(`batch ${nativeId} did not end within ${maxTicks} ticks`);
    },
    async close() {
      await backend.dispose();
      await emulator.close();
    },
  };
}

/** Reads a stream to the end, answering its bytes and how many chunks they came in. */
export async function drain(stream: Readable): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}
