import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/processes.js';

/**
 * Reads V8 CPU profiles (`node --cpu-prof`) and sums self time per function and per area (a package
 * in node_modules, a folder of src/, node internals, GC, idle), so a report can say where time goes.
 *
 *   node --import tsx bench/profile-summary.ts <dir> [top]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  top: Array<{ name: string; where: string; selfMs: number; pct: number }>;
  areas: Array<{ area: string; selfMs: number; pct: number }>;
}

/** Where a frame's code lives, in a few words: `graphql`, `src/live`, `node:internal`, `(gc)`. */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (modules) return modules[1]!;
  if (path.startsWith(ROOT)) return path.slice(ROOT.length + 1).split('/').slice(0, 2).join('/');
  if (path.startsWith('node:')) return 'node:internal';
  return path;
}

export function summarizeProfile(file: string, topN = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const sampleMs = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const byFunction = new Map<string, { name: string; where: string; selfMs: number }>();
  const byArea = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const selfMs = (node.hitCount ?? 0) * sampleMs;
    if (selfMs === 0) continue;
    totalMs += selfMs;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += selfMs;
      continue;
    }
    const where = url ? `${url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, selfMs: 0 };
    entry.selfMs += selfMs;
    byFunction.set(key, entry);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + selfMs);
  }
  const busyMs = totalMs - idleMs;
  const pct = (value: number) => (busyMs > 0 ? (value / busyMs) * 100 : 0);
  return {
    file,
    totalMs,
    busyMs,
    top: [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, topN).map((entry) => ({ ...entry, pct: pct(entry.selfMs) })),
    areas: [...byArea.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([area, selfMs]) => ({ area, selfMs, pct: pct(selfMs) })),
  };
}

export function summarizeProfiles(dir: string, topN = 20): ProfileSummary[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => summarizeProfile(join(dir, name), topN));
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`${summary.file}: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s`];
  lines.push('  self time by area:');
  for (const area of summary.areas) lines.push(`    ${area.pct.toFixed(1).padStart(5)}%  ${area.area}`);
  lines.push('  top self-time functions:');
  for (const entry of summary.top) lines.push(`    ${entry.pct.toFixed(1).padStart(5)}%  ${entry.name}  ${entry.where}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [dir, top] = process.argv.slice(2);
  if (!dir) throw new Error('usage: profile-summary.ts <dir-with-cpuprofiles> [top]');
  for (const summary of summarizeProfiles(dir, Number(top ?? 20))) console.log(formatProfile(summary));
}
