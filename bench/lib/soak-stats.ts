import { median, round1 } from './stats.js';

/** One reading of the gateway's memory during a soak. */
export interface MemorySample {
  atS: number;
  rssMiB: number;
  heapMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

/**
 * RSS growth over a soak. RSS swings by ±5 % from one 15 s reading to the next as V8 collects and
 * returns pages, so two single readings measure that swing as much as any growth. Growth is the
 * median of a window just after warm-up against the median of the last window of the run (each five
 * minutes, or a fifth of a short run); the single readings are kept alongside.
 *
 * Warm-up is a tenth of the run, at least one minute (a fifth of a run under five minutes): V8 sizes
 * its heap to the load meanwhile.
 */
export function rssGrowth(samples: MemorySample[], minutes: number) {
  const runS = minutes * 60;
  const warmupS = minutes >= 5 ? Math.max(60, runS / 10) : runS / 5;
  const windowS = minutes >= 25 ? 300 : runS / 5;
  const lastAtS = samples.at(-1)!.atS;
  const early = samples.filter((sample) => sample.atS >= warmupS && sample.atS < warmupS + windowS);
  const late = samples.filter((sample) => sample.atS > lastAtS - windowS);
  const first = early[0] ?? samples[0]!;
  const baseline = median((early.length > 0 ? early : [first]).map((sample) => sample.rssMiB));
  const end = median(late.map((sample) => sample.rssMiB));
  const settled = samples.filter((sample) => sample.atS >= warmupS).map((sample) => sample.rssMiB);
  return {
    warmupS,
    windowS,
    baselineMedian: round1(baseline),
    endMedian: round1(end),
    growthPct: round1(((end - baseline) / baseline) * 100),
    single: { afterWarmup: first.rssMiB, atS: first.atS, end: samples.at(-1)!.rssMiB, growthPct: round1(((samples.at(-1)!.rssMiB - first.rssMiB) / first.rssMiB) * 100) },
    min: Math.min(...settled),
    max: Math.max(...settled),
    // One reading every five minutes, to tell a steady climb from a step.
    series: samples.filter((sample, index) => index === samples.length - 1 || sample.atS % 300 < 15).map((sample) => `${sample.atS}s ${sample.rssMiB}`),
  };
}

/** The readings a soak printed (`soak 120s rss=… heap=used/total … external=…`), for runs read back from a log. */
export function samplesFromLog(text: string): MemorySample[] {
  const samples: MemorySample[] = [];
  for (const match of text.matchAll(/^soak (\d+)s rss=([\d.]+)MiB heap=([\d.]+)\/([\d.]+)MiB external=([\d.]+)MiB/gm)) {
    samples.push({ atS: Number(match[1]), rssMiB: Number(match[2]), heapMiB: Number(match[3]), heapTotalMiB: Number(match[4]), externalMiB: Number(match[5]) });
  }
  return samples;
}
