import type { LatencyResult, ThroughputResult } from './http-bench.js';
import type { LiveBenchResult } from './live-bench.js';
import { mib, ms } from './lib/stats.js';
import { formatProfile, type ProfileSummary } from './profile-summary.js';

/** Collects figures as the run goes and prints them, each beside its goal, with a verdict. */
export interface Report {
  latency(results: LatencyResult[], cpuPct: Record<string, number>): void;
  realistic(results: LatencyResult[], cpuPct: Record<string, number>, addedMs: number): void;
  coalescing(hot: Coalesced, cacheOff: Coalesced): void;
  throughput(results: ThroughputResult[]): void;
  live(label: string, result: LiveBenchResult, k: number, p99GoalMs?: number): void;
  naive(naive: { pollsPerInterval: number }, batchgatePollsPerInterval: number): void;
  notMeasured(what: string, why: string): void;
  note(text: string): void;
  profile(summaries: ProfileSummary[]): void;
  print(): void;
}

type Coalesced = { clientRequests: number; upstreamCalls: number; ok: number };
type Row = { measure: string; value: string; goal: string; verdict: 'met' | 'NOT MET' | 'info' | 'not measured' };

const verdict = (ok: boolean): Row['verdict'] => (ok ? 'met' : 'NOT MET');
const pct = (value: number) => `${value.toFixed(0)}%`;
const cpuText = (cpuPct: Record<string, number>) =>
  Object.entries(cpuPct)
    .map(([name, value]) => `${name} ${pct(value)}`)
    .join(', ');

export function createReport(): Report {
  const rows: Row[] = [];
  const details: string[] = [];
  const notes: string[] = [];
  const add = (row: Row) => {
    rows.push(row);
    // Print as we go: a long run shows progress, and a crash keeps what was measured.
    console.log(`  ${row.verdict.padEnd(12)} ${row.measure}: ${row.value}  (goal: ${row.goal})`);
  };

  return {
    latency(results, cpuPct) {
      const by = (role: string) => results.find((r) => r.role === role);
      const direct = by('direct');
      if (!direct) return;
      details.push(`sequential latency (${direct.samples} requests each, interleaved; CPU ${cpuText(cpuPct)}):`);
      for (const r of results) details.push(`  ${r.label.padEnd(40)} p50 ${ms(r.p50, 2)}  p99 ${ms(r.p99, 2)}  (${(r.p50 / direct.p50).toFixed(2)}× direct)`);
      const goals = [
        { ours: by('cold'), floor: by('bare-cold'), slack: 0.5, goal: '≤ bare graphql-js floor + 0.5 ms' },
        { ours: by('hot'), floor: by('bare-hot'), slack: 0, goal: '≤ bare graphql-js floor' },
      ];
      for (const { ours, floor, slack, goal } of goals) {
        if (!ours || !floor) continue;
        const added = ours.p50 - floor.p50;
        add({
          measure: `${ours.label} vs ${floor.label}, p50`,
          value: `${ms(ours.p50, 2)} vs ${ms(floor.p50, 2)} (${added >= 0 ? '+' : ''}${ms(added, 2)}); direct GET ${ms(direct.p50, 2)}`,
          goal,
          verdict: verdict(added <= slack),
        });
      }
      for (const [peer, ours] of [
        ['yoga-cold', 'cold'],
        ['yoga-hot', 'hot'],
        ['hive', 'cold'],
      ] as const) {
        const them = by(peer);
        const us = by(ours);
        if (!them || !us) continue;
        add({ measure: `${them.label}, p50`, value: `${ms(them.p50, 2)}: batchgate ${ours === 'cold' ? 'cache off' : 'hot'} (${ms(us.p50, 2)}) is ${(us.p50 / them.p50).toFixed(2)}× of it`, goal: 'peer, side by side', verdict: 'info' });
      }
    },
    realistic(results, cpuPct, addedMs) {
      const direct = results.find((r) => r.role === 'direct');
      const ours = results.find((r) => r.role === 'cold');
      if (!direct || !ours) return;
      details.push(`sequential latency, upstream +${addedMs} ms (${direct.samples} requests each, interleaved; CPU ${cpuText(cpuPct)}):`);
      for (const r of results) details.push(`  ${r.label.padEnd(40)} p50 ${ms(r.p50, 2)}  p99 ${ms(r.p99, 2)}  (${(r.p50 / direct.p50).toFixed(3)}× / ${(r.p99 / direct.p99).toFixed(3)}× direct)`);
      const p50 = ours.p50 / direct.p50;
      const p99 = ours.p99 / direct.p99;
      add({
        measure: `batchgate batch(id), cache off vs upstream GET direct, upstream +${addedMs} ms`,
        value: `p50 ${ms(ours.p50, 2)} vs ${ms(direct.p50, 2)} = ${p50.toFixed(3)}×; p99 ${ms(ours.p99, 2)} vs ${ms(direct.p99, 2)} = ${p99.toFixed(3)}×`,
        goal: 'p50 ≤ 1.05×, p99 ≤ 1.10×',
        verdict: verdict(p50 <= 1.05 && p99 <= 1.1),
      });
    },
    coalescing(hot, cacheOff) {
      for (const [label, result] of [['cache on', hot], ['cache off (in-flight coalescing only)', cacheOff]] as const) {
        const ratio = result.upstreamCalls / result.clientRequests;
        add({
          measure: `500 concurrent identical batch(id), ${label}: upstream calls per client request`,
          value: `${result.upstreamCalls}/${result.clientRequests} = ${ratio.toFixed(4)} (${result.ok} ok)`,
          goal: label === 'cache on' ? '< 0.05' : 'for comparison',
          verdict: label === 'cache on' ? verdict(ratio < 0.05 && result.ok === result.clientRequests) : 'info',
        });
      }
    },
    throughput(results) {
      const [gateway, ...others] = results;
      if (!gateway) return;
      for (const r of results) {
        details.push(`throughput ${r.label}: ${r.rps.toFixed(0)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, errors ${r.errors}; CPU ${cpuText(r.cpuPct)}`);
      }
      add({
        measure: 'throughput of batch(id), hot (50 connections)',
        value: `${gateway.rps.toFixed(0)} req/s (gateway CPU ${pct(gateway.cpuPct['gateway'] ?? 0)}, errors ${gateway.errors})`,
        goal: '≥ 1,500 req/s',
        verdict: verdict(gateway.rps >= 1500 && gateway.errors === 0),
      });
      for (const r of others) {
        add({ measure: `throughput ratio batchgate / ${r.label}`, value: `${(gateway.rps / r.rps).toFixed(2)}× (${r.rps.toFixed(0)} req/s)`, goal: 'side by side', verdict: 'info' });
      }
    },
    live(label, result, k, p99GoalMs = 250) {
      details.push(
        `${label}: ${result.opened}/${result.subscribers} subscribed in ${(result.connectMs / 1000).toFixed(1)} s, ${result.failed} failed; ` +
          `window ${(result.windowMs / 1000).toFixed(1)} s, ${result.events} events, delivered ${(result.deliveredRatio * 100).toFixed(0)}% of visible changes; ` +
          `change→client p50 ${ms(result.changeToClient.p50)} p99 ${ms(result.changeToClient.p99)}; ` +
          `CPU gateway ${result.gatewayCpuPct.map(pct).join('/')}, emulator ${pct(result.emulatorCpuPct)}, clients ${result.workerCpuPct.map(pct).join('/')}` +
          Object.entries(result.otherCpuPct).map(([label, value]) => `, ${label} ${pct(value)}`).join('') +
          '; ' +
          `gateway RSS ${result.gatewayRssBytes.map(mib).join('/')} (peak ${result.gatewayPeakRssBytes.map(mib).join('/')})`,
      );
      add({
        measure: `${label}: upstream polls per interval (K=${k})`,
        value: `${result.pollsPerInterval.toFixed(1)}; shortest gap between two polls of one batch ${result.minGapRatio.toFixed(2)}× interval`,
        // Polls are planned from their due time (src/live/poll-schedule.ts), so K per interval is the
        // target; under means the hub fell behind. A batch polled twice shows as a gap of about one
        // round trip; gaps a little under 1× are a late timer followed by an on-time one (the
        // gateway keeps 0.9× between its sends; arrival jitter at the upstream adds a few ms).
        goal: `exactly K (one poll per batch per interval)`,
        verdict: verdict(result.pollsPerInterval >= k * 0.95 && result.pollsPerInterval <= k * 1.05 && result.minGapRatio >= 0.75),
      });
      add({
        measure: `${label}: poll→client latency (gateway-added)`,
        value: `p50 ${ms(result.pollToClient.p50)}, p99 ${ms(result.pollToClient.p99)} (change→client incl. poll wait: p99 ${ms(result.changeToClient.p99)})`,
        goal: `p99 < ${p99GoalMs} ms`,
        verdict: verdict(result.pollToClient.p99 < p99GoalMs && result.opened === result.subscribers),
      });
      add({
        measure: `${label}: gateway RSS`,
        value: result.gatewayPeakRssBytes.map(mib).join(' / ') + ' peak',
        goal: '< 1 GiB',
        verdict: verdict(result.gatewayPeakRssBytes.every((bytes) => bytes < 1024 ** 3)),
      });
    },
    naive(naive, batchgate) {
      add({
        measure: 'naive baseline (one poll per subscriber) vs batchgate, 1,000 subscribers: upstream calls per interval',
        value: `${naive.pollsPerInterval.toFixed(0)} vs ${batchgate.toFixed(0)} = ${(naive.pollsPerInterval / batchgate).toFixed(1)}× fewer with batchgate`,
        goal: 'ratio printed',
        verdict: 'info',
      });
    },
    notMeasured(what, why) {
      add({ measure: what, value: why, goal: '-', verdict: 'not measured' });
    },
    note(text) {
      notes.push(text);
    },
    profile(summaries) {
      for (const summary of summaries) details.push(formatProfile(summary));
    },
    print() {
      console.log('\n=== details ===');
      for (const line of details) console.log(line);
      for (const line of notes) console.log(`note: ${line}`);
      console.log('\n=== figures against goals ===');
      for (const row of rows) console.log(`${row.verdict.padEnd(12)} ${row.measure}\n             ${row.value}   [goal: ${row.goal}]`);
    },
  };
}
