/**
 * RSS growth of a soak read back from its log (the `soak …s rss=…` lines), computed as the soak
 * itself does (`rssGrowth`): `node --import tsx bench/soak-growth.ts soak.log --minutes 30`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { rssGrowth, samplesFromLog } from './lib/soak-stats.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { minutes: { type: 'string', default: '30' } } });
const samples = samplesFromLog(readFileSync(positionals[0] ?? '/dev/stdin', 'utf8'));
if (samples.length === 0) throw new Error('no "soak …s rss=…" lines found');
process.stdout.write(`${JSON.stringify(rssGrowth(samples, Number(values.minutes)), null, 2)}\n`);
