import type { RequestSample } from './emulator-process.js';
import { azureMlBatchUrl, createHttp } from './lib/http.js';
import type { EmulatorProcess } from './lib/processes.js';
import { sleep } from './lib/stats.js';

/**
 * The naive design batchgate replaces: every subscriber polls the backend itself once per interval
 * (as a dashboard tab per user would). Subscriber i watches batch i mod K, like the live benchmark.
 * Returns upstream batch GETs per interval, as the emulator counted them.
 */
export async function runNaiveBaseline(options: {
  emulator: EmulatorProcess;
  nativeIds: string[];
  subscribers: number;
  intervalMs: number;
  windowMs: number;
  token: string;
}): Promise<{ pollsPerInterval: number }> {
  const http = createHttp(256);
  let running = true;
  const pollers = Array.from({ length: options.subscribers }, async (_, i) => {
    const url = azureMlBatchUrl(options.emulator.url, options.nativeIds[i % options.nativeIds.length]!);
    // Spread the first polls over one interval, as subscribers arriving at random would be.
    await sleep((i / options.subscribers) * options.intervalMs);
    while (running) {
      const started = Date.now();
      await http.send(url, { headers: { authorization: options.token } }).catch(() => undefined);
      await sleep(Math.max(0, options.intervalMs - (Date.now() - started)));
    }
  });
  await sleep(options.intervalMs);
  const t0 = Date.now();
  await sleep(options.windowMs);
  const t1 = Date.now();
  running = false;
  await Promise.all(pollers);
  http.close();
  const requests = await options.emulator.call<RequestSample[]>({ cmd: 'requests', since: t0, pathContains: '/batch/' });
  const inWindow = requests.filter(([batch, at]) => batch >= 0 && batch < options.nativeIds.length && at < t1).length;
  return { pollsPerInterval: inWindow / ((t1 - t0) / options.intervalMs) };
}
