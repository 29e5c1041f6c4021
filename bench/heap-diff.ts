/**
 * Compares V8 heap snapshots by what they hold: object count and self size per constructor (or
 * node type for strings, arrays, closures and code), largest growth first. For leak hunts in the
 * soak: take snapshots at two points of a steady load and see which kinds of object keep piling up.
 *
 *   node --max-old-space-size=8192 --import tsx bench/heap-diff.ts first.heapsnapshot last.heapsnapshot [top]
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Totals {
  count: number;
  bytes: number;
}

/** Per kind of object: how many, and their own bytes (not what they keep alive). */
function tally(file: string): Map<string, Totals> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const typeNames = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, Totals>();
  for (let at = 0; at < heap.nodes.length; at += width) {
    const type = typeNames[heap.nodes[at + typeAt]!]!;
    // Objects are told apart by constructor; strings, closures and code by type (their names are contents).
    const key = type === 'object' || type === 'native' ? heap.strings[heap.nodes[at + nameAt]!]! : `(${type})`;
    const entry = totals.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += heap.nodes[at + sizeAt]!;
    totals.set(key, entry);
  }
  return totals;
}

const files = process.argv.slice(2).filter((arg) => arg.endsWith('.heapsnapshot'));
const top = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 25);
if (files.length < 2) {
  process.stderr.write('usage: heap-diff.ts first.heapsnapshot last.heapsnapshot [...more] [top]\n');
  process.exit(2);
}
const tallies = files.map(tally);
const first = tallies[0]!;
const last = tallies.at(-1)!;
const sum = (totals: Map<string, Totals>) => [...totals.values()].reduce((all, entry) => all + entry.bytes, 0);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
process.stdout.write(`total self size: ${tallies.map((t) => `${mib(sum(t))} MiB`).join(' → ')}\n`);
const keys = new Set([...first.keys(), ...last.keys()]);
const rows = [...keys]
  .map((key) => ({ key, series: tallies.map((t) => t.get(key) ?? { count: 0, bytes: 0 }) }))
  .map((row) => ({ ...row, growth: row.series.at(-1)!.bytes - row.series[0]!.bytes }))
  .sort((a, b) => b.growth - a.growth)
  .slice(0, top);
for (const row of rows) {
  const counts = row.series.map((entry) => entry.count).join(' → ');
  const sizes = row.series.map((entry) => mib(entry.bytes)).join(' → ');
  process.stdout.write(`${(row.growth >= 0 ? '+' : '') + mib(row.growth)} MiB  ${row.key.slice(0, 60).padEnd(60)}  count ${counts}  MiB ${sizes}\n`);
}
