/**
 * The checks `promtool check metrics` makes (Prometheus' promlint), over the text exposition
 * format: every family has HELP and TYPE; counters end in `_total` and nothing else does (nor in
 * `_count`, `_sum`, `_bucket`); names are snake_case in base units; every sample belongs to a
 * declared family; histograms have a `+Inf` bucket. Returns the problems, one line each.
 */
export interface MetricFamily {
  name: string;
  type: string;
  help: string | null;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const NON_BASE_UNITS = /_(milliseconds|microseconds|nanoseconds|minutes|hours|days|kilobytes|megabytes|gigabytes|kibibytes|mebibytes|percent)(_|$)/;

export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { name, type: 'untyped', help: null, samples: [] }));
    return found;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]!).help = meta[3]!;
      else family(meta[2]!).type = meta[3]!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const match of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
    const name = sample[1]!;
    const base = [...families.keys()].find((candidate) => name === candidate || (/_(bucket|sum|count)$/.test(name) && name.replace(/_(bucket|sum|count)$/, '') === candidate));
    family(base ?? name).samples.push({ name, labels, value: Number(sample[3]) });
  }
  return families;
}

export function lintExposition(text: string): string[] {
  const problems: string[] = [];
  for (const family of parseExposition(text).values()) {
    const { name, type } = family;
    if (!NAME.test(name) || /[A-Z]/.test(name)) problems.push(`${name}: metric names should be snake_case`);
    if (family.help === null || family.help === '') problems.push(`${name}: no help text`);
    if (type === 'untyped') problems.push(`${name}: no TYPE line`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counter metrics should have "_total" suffix`);
    if (type !== 'counter' && /_(total|count|sum|bucket)$/.test(name)) problems.push(`${name}: non-counter metrics should not have "${/_(\w+)$/.exec(name)![1]}" suffix`);
    if (NON_BASE_UNITS.test(name)) problems.push(`${name}: use base units (seconds, bytes, ratios)`);
    if (type === 'histogram' && family.samples.length > 0 && !family.samples.some((sample) => sample.labels['le'] === '+Inf')) problems.push(`${name}: histogram without a +Inf bucket`);
  }
  return problems;
}
