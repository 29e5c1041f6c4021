import { readFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../src/store/sqlite-store.js';
const heapRss = () => { const s = readFileSync('/proc/self/smaps', 'utf8'); const i = s.indexOf('[heap]'); if (i < 0) return 0; const m = /Rss:\s+(\d+)/.exec(s.slice(i)); return Number(m![1]) / 1024; };
const folder = mkdtempSync(join(tmpdir(), 'exp-'));
const store = createSqliteStore(folder);
(globalThis as any).x = 1;
const n = Number(process.argv[2] ?? 20000);
const mk = (i: number) => ({ backendId: 'slv', nativeId: `b-${i}`, id: `slv:b-${i}`, state: 'RUNNING', name: 'x'.repeat(50), steps: Array.from({ length: 8 }, (_, k) => ({ name: `step ${k}`, status: 'OK', message: 'y'.repeat(80) })), progress: { percent: 50 } } as any);
async function main() {
for (let i = 0; i < n; i++) {
  await store.recordStarted(mk(i));
  if (i > 120) await store.recordCancelled(mk(i - 120));
  await store.list('slv', { offset: 0, limit: 21, cancelledOnly: false });
  await store.get('slv', `b-${i - 10}`);
  if (i % 2000 === 0) console.log(i, 'heap MiB', heapRss().toFixed(1), 'rss', (process.memoryUsage().rss / 2 ** 20).toFixed(1), 'db MiB', (statSync(join(folder, 'batchgate.db')).size / 2 ** 20).toFixed(1));
}
}
void main();
