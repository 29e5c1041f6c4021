import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RequestSample } from './emulator-process.js';
import { processUsage, ROOT, stopChild, type EmulatorProcess } from './lib/processes.js';
import { percentile, sleep } from './lib/stats.js';
import type { ReceivedEvent, WorkerCommand } from './ws-worker.js';

/**
 * The subscription benchmark: N graphql-ws subscribers spread over K batches (N/K per batch),
 * clients in worker processes. Measures upstream polls per interval, change→client latency, and
 * the gateway's CPU and memory while it fans out.
 *
 * Latency has two readings, both from clocks of one machine:
 * - change→client: from the emulator tick that changed a batch to the subscriber receiving it.
 *   This includes waiting for the next poll (0..intervalMs), a property of polling, not of code.
 * - poll→client: from the first upstream GET that could see the change arriving at the emulator
 *   to the subscriber receiving it: what the gateway itself adds (upstream round trip, mapping,
 *   change detection, fan-out, graphql-ws, client parse).
 */
export interface LiveBenchOptions {
  gateways: Array<{ url: string; pid: number }>;
  emulator: EmulatorProcess;
  /** Encoded `Batch.id`s of the K live batches; their seed indexes are 0..K-1. */
  ids: string[];
  subscribers: number;
  workers: number;
  windowMs: number;
  intervalMs: number;
  /** Other processes whose CPU is worth printing (Redis), by label. */
  watch?: Record<string, number>;
}

export interface LiveBenchResult {
  subscribers: number;
  opened: number;
  failed: number;
  connectMs: number;
  windowMs: number;
  /** Upstream GETs of the live batches per polling interval, over the window. */
  pollsPerInterval: number;
  /** Shortest gap between two polls of one batch, as a fraction of the interval (≥ ~1 means one poller per batch). */
  minGapRatio: number;
  events: number;
  /** Events received ÷ (changes seen upstream × subscribers per batch). */
  deliveredRatio: number;
  changeToClient: { p50: number; p99: number };
  pollToClient: { p50: number; p99: number };
  gatewayCpuPct: number[];
  gatewayRssBytes: number[];
  gatewayPeakRssBytes: number[];
  emulatorCpuPct: number;
  workerCpuPct: number[];
  /** CPU of `watch` processes, by label. */
  otherCpuPct: Record<string, number>;
}

function startWorker(): ChildProcess {
  return fork(join(ROOT, 'bench/ws-worker.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function ask<T>(worker: ChildProcess, command: WorkerCommand, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      resolve(message as T);
    };
    worker.on('message', onMessage);
    worker.send(command);
  });
}

export async function runLiveBench(options: LiveBenchOptions): Promise<LiveBenchResult> {
  const { emulator, ids, subscribers, intervalMs, windowMs } = options;
  const workers = Array.from({ length: options.workers }, startWorker);
  try {
    const connectStarted = performance.now();
    const share = Math.ceil(subscribers / workers.length);
    const ready = await Promise.all(
      workers.map((worker, w) => {
        const count = Math.max(0, Math.min(share, subscribers - w * share));
        // Every worker spreads its subscribers evenly over the gateways (replicas), see ws-worker.ts.
        const urls = options.gateways.map((gateway) => gateway.url);
        return ask<{ opened: number; failed: number }>(worker, { cmd: 'open', urls, ids, first: w * share, count }, 'ready');
      }),
    );
    const connectMs = performance.now() - connectStarted;
    // Let pollers settle into their rhythm before measuring.
    await sleep(intervalMs * 2);
    for (const worker of workers) await ask(worker, { cmd: 'collect' }, 'events');

    const t0 = Date.now();
    const others = Object.entries(options.watch ?? {});
    const before = {
      gateways: options.gateways.map((g) => processUsage(g.pid)),
      emulator: processUsage(emulator.pid),
      workers: workers.map((w) => processUsage(w.pid!)),
      others: others.map(([, pid]) => processUsage(pid)),
    };
    await sleep(windowMs);
    const t1 = Date.now();
    const after = {
      gateways: options.gateways.map((g) => processUsage(g.pid)),
      emulator: processUsage(emulator.pid),
      workers: workers.map((w) => processUsage(w.pid!)),
      others: others.map(([, pid]) => processUsage(pid)),
    };
    const pct = (a: { cpuMs: number }, b: { cpuMs: number }) => ((b.cpuMs - a.cpuMs) / (t1 - t0)) * 100;

    const collected = await Promise.all(workers.map((worker) => ask<{ events: ReceivedEvent[]; failed: number }>(worker, { cmd: 'collect' }, 'events')));
    const requests = await emulator.call<RequestSample[]>({ cmd: 'requests', since: t0 - intervalMs * 4, pathContains: '/batch/' });
    const changes = await emulator.call<Array<Array<[number, number]>>>({ cmd: 'changes' });

    const live = (batch: number) => batch >= 0 && batch < ids.length;
    const inWindow = requests.filter(([batch, at]) => live(batch) && at >= t0 && at < t1);
    const byBatch = new Map<number, number[]>();
    for (const [batch, at] of requests) if (live(batch)) (byBatch.get(batch) ?? byBatch.set(batch, []).get(batch)!).push(at);
    let minGap = Infinity;
    for (const times of byBatch.values()) {
      for (let i = 1; i < times.length; i += 1) if (times[i]! >= t0 && times[i]! < t1) minGap = Math.min(minGap, times[i]! - times[i - 1]!);
    }

    const changeToClient: number[] = [];
    const pollToClient: number[] = [];
    let events = 0;
    for (const { events: received } of collected) {
      for (const [batch, completed, at] of received) {
        if (at < t0 || at >= t1) continue;
        events += 1;
        const changedAt = changes[batch]?.find(([count]) => count === completed)?.[1];
        if (changedAt === undefined) continue;
        changeToClient.push(at - changedAt);
        // The first poll that arrived after the change is the one that carried it.
        const poll = byBatch.get(batch)?.find((time) => time >= Math.floor(changedAt));
        if (poll !== undefined) pollToClient.push(at - poll);
      }
    }
    // Changes a poll could deliver: several ticks between two polls are one visible change.
    const carrying = new Set<string>();
    for (let batch = 0; batch < ids.length; batch += 1) {
      for (const [, changedAt] of changes[batch]!.slice(1)) {
        const poll = byBatch.get(batch)?.find((time) => time >= Math.floor(changedAt));
        if (poll !== undefined && poll >= t0 && poll < t1 - intervalMs / 2) carrying.add(`${batch}:${poll}`);
      }
    }
    const upstreamChanges = carrying.size;
    const perBatch = subscribers / ids.length;
    return {
      subscribers,
      opened: ready.reduce((sum, r) => sum + r.opened, 0),
      failed: ready.reduce((sum, r) => sum + r.failed, 0) + collected.reduce((sum, c) => sum + c.failed, 0),
      connectMs,
      windowMs: t1 - t0,
      pollsPerInterval: inWindow.length / ((t1 - t0) / intervalMs),
      minGapRatio: minGap / intervalMs,
      events,
      deliveredRatio: upstreamChanges > 0 ? events / (upstreamChanges * perBatch) : Number.NaN,
      changeToClient: { p50: percentile(changeToClient, 50), p99: percentile(changeToClient, 99) },
      pollToClient: { p50: percentile(pollToClient, 50), p99: percentile(pollToClient, 99) },
      gatewayCpuPct: options.gateways.map((_, i) => pct(before.gateways[i]!, after.gateways[i]!)),
      gatewayRssBytes: after.gateways.map((usage) => usage.rssBytes),
      gatewayPeakRssBytes: after.gateways.map((usage) => usage.peakRssBytes),
      emulatorCpuPct: pct(before.emulator, after.emulator),
      workerCpuPct: workers.map((_, i) => pct(before.workers[i]!, after.workers[i]!)),
      otherCpuPct: Object.fromEntries(others.map(([label], i) => [label, pct(before.others[i]!, after.others[i]!)])),
    };
  } finally {
    await Promise.all(
      workers.map(async (worker) => {
        if (worker.connected) worker.send({ cmd: 'close' } satisfies WorkerCommand);
        await stopChild(worker, 15_000);
      }),
    );
  }
}
