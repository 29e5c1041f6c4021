// Run as a child process by store-memory.test.ts: fills a store with records, reads them all back,
// and prints how much the main malloc arena ([heap] in smaps) grew meanwhile.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/store/sqlite-store.js';

const heapMiB = (): number => {
  const smaps = readFileSync('/proc/self/smaps', 'utf8');
  const at = smaps.indexOf('[heap]');
  return at < 0 ? 0 : Number(/Rss:\s+(\d+) kB/.exec(smaps.slice(at))![1]) / 1024;
};

async function main(): Promise<void> {
  const cacheMiB = Number(process.argv[2]);
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-cache-'));
  try {
    const store = createSqliteStore(folder, { cacheMiB });
    const before = heapMiB();
    const step = { name: 'commission', status: 'OK', message: 'controller answered in 120 ms'.repeat(3) };
    for (let i = 0; i < 12_000; i += 1) {
      const batch = { backendId: 'slv', nativeId: `b-${i}`, id: `slv:b-${i}`, state: 'SUCCEEDED', steps: Array.from({ length: 8 }, () => step) };
      await store.recordStarted(batch as never);
    }
    await store.list('slv', { offset: 0, limit: 100_000, cancelledOnly: false });
    process.stdout.write(JSON.stringify({ grewMiB: heapMiB() - before }));
    await store.dispose();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
void main();
