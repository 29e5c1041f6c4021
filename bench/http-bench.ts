import autocannon from 'autocannon';
import type { RequestSample } from './emulator-process.js';
import { createHttp } from './lib/http.js';
import { processUsage, type EmulatorProcess } from './lib/processes.js';
import { percentile } from './lib/stats.js';

/** Request-level benchmarks: one query through the gateway against the same upstream GET direct. */

export interface Target {
  label: string;
  /** What the report compares it as (`direct`, `cold`, `hot`, `bare-cold`, …); the label otherwise. */
  role?: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LatencyResult {
  label: string;
  role: string;
  p50: number;
  p99: number;
  samples: number;
}

/** A GraphQL POST as a `Target`. */
export const graphqlTarget = (label: string, url: string, query: string, variables: Record<string, unknown>, role?: string): Target => ({
  label,
  ...(role ? { role } : {}),
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify({ query, variables }),
});

/**
 * Sequential latency of several targets, interleaved request by request so that any drift of the
 * machine (another process waking up) hits every target alike. One keep-alive socket per target.
 */
export async function compareLatency(targets: Target[], iterations: number, warmup = 200): Promise<LatencyResult[]> {
  const clients = targets.map(() => createHttp(1));
  const samples: number[][] = targets.map(() => []);
  try {
    for (let i = 0; i < warmup + iterations; i += 1) {
      for (const [t, target] of targets.entries()) {
        const response = await clients[t]!.send(target.url, target);
        if (response.status !== 200 || response.body.includes('"errors"')) {
          throw new Error(`${target.label} answered ${response.status}: ${response.body.slice(0, 300)}`);
        }
        if (i >= warmup) samples[t]!.push(response.elapsedMs);
      }
    }
  } finally {
    for (const client of clients) client.close();
  }
  return targets.map((target, t) => ({ label: target.label, role: target.role ?? target.label, p50: percentile(samples[t]!, 50), p99: percentile(samples[t]!, 99), samples: samples[t]!.length }));
}

export interface ThroughputResult {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU % of each watched process over the run (100 = one core). */
  cpuPct: Record<string, number>;
}

/** CPU % of each watched process (100 = one core) while `run` runs, beside its result. */
export async function withCpu<T>(watch: Record<string, number>, run: () => Promise<T>): Promise<{ result: T; cpuPct: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(watch).map(([name, pid]) => [name, processUsage(pid).cpuMs]));
  const startedAt = Date.now();
  const result = await run();
  const elapsed = Date.now() - startedAt;
  return { result, cpuPct: Object.fromEntries(Object.entries(watch).map(([name, pid]) => [name, ((processUsage(pid).cpuMs - before[name]!) / elapsed) * 100])) };
}

/** Requests per second with autocannon (in this process), CPU of the watched processes alongside. */
export async function measureThroughput(target: Target, options: { durationS: number; connections: number; watch: Record<string, number> }): Promise<ThroughputResult> {
  const startedAt = Date.now();
  const { result, cpuPct } = await withCpu(options.watch, () =>
    autocannon({
      url: target.url,
      method: target.method ?? 'GET',
      headers: target.headers,
      body: target.body,
      connections: options.connections,
      duration: options.durationS,
    }),
  );
  const elapsed = Date.now() - startedAt;
  return {
    label: target.label,
    rps: result.requests.total / (elapsed / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    cpuPct,
  };
}

/**
 * Fires `concurrency` identical queries at once and counts the upstream GETs they caused for that
 * batch, as the emulator recorded them.
 */
export async function measureCoalescing(
  target: Target,
  emulator: EmulatorProcess,
  seedIndex: number,
  concurrency: number,
): Promise<{ clientRequests: number; upstreamCalls: number; ok: number }> {
  const http = createHttp(concurrency);
  const since = Date.now();
  try {
    const responses = await Promise.all(Array.from({ length: concurrency }, () => http.send(target.url, target)));
    const ok = responses.filter((response) => response.status === 200 && !response.body.includes('"errors"')).length;
    const requests = await emulator.call<RequestSample[]>({ cmd: 'requests', since, pathContains: '/batch/' });
    return { clientRequests: concurrency, upstreamCalls: requests.filter(([batch]) => batch === seedIndex).length, ok };
  } finally {
    http.close();
  }
}
