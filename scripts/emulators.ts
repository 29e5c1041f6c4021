/**
 * `npm run emulators`: every registered backend's emulator, alone (no gateway), with demo batches
 * and the fixed demo credentials documented in the README ("Emulators"). Prints one JSON object
 * per line and emulator — `kind`, `url` and the fields of a config backend entry — then serves
 * until SIGINT or SIGTERM, and exits 0.
 *
 * Usage: npm run emulators [-- --base-port 9100] [--latency-ms 20]
 *   --base-port: ports base, base+1, … in registry order (default: free ports)
 *   --latency-ms: every answer waits this long, like a service across a network (default: 0)
 */
import { backendModules } from '../src/backends/index.js';
import type { EmulatorHandle } from '../src/backends/module.js';

const args = process.argv.slice(2);
const at = args.indexOf('--base-port');
const basePort = at >= 0 ? Number(args[at + 1]) : 0;
if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65535 - backendModules.length) {
  process.stderr.write(`Expected --base-port <0..${65535 - backendModules.length}>, got ${args[at + 1] ?? 'nothing'}\n`);
  process.exit(2);
}

const latencyAt = args.indexOf('--latency-ms');
const latencyMs = latencyAt >= 0 ? Number(args[latencyAt + 1]) : 0;
if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
  process.stderr.write(`Expected --latency-ms <0..60000>, got ${args[latencyAt + 1] ?? 'nothing'}\n`);
  process.exit(2);
}

const handles: EmulatorHandle[] = [];
let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(handles.map((handle) => handle.close()));
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  for (const [index, module] of backendModules.entries()) {
    const handle = await module.startEmulator({ demo: true, demoCredentials: true, port: basePort === 0 ? 0 : basePort + index });
    handles.push(handle);
    handle.http.setLatency(latencyMs);
    process.stdout.write(`${JSON.stringify({ kind: module.kind, url: handle.url, ...handle.connection })}\n`);
  }
} catch (error) {
  process.stderr.write(`Could not start the emulators: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}
