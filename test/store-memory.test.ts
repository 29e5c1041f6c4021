import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./probes/sqlite-cache-growth.ts', import.meta.url));

/** How much the main malloc arena of a fresh process grows while a store takes 12,000 records (~16 MB of file). */
async function arenaGrowthMiB(cacheMiB: number): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe, String(cacheMiB)], { timeout: 60_000 });
  return (JSON.parse(stdout) as { grewMiB: number }).grewMiB;
}

// smaps is Linux's; the gateway's production target and CI.
describe.runIf(process.platform === 'linux')('SQLite store memory', () => {
  it('holds its page cache to store.cacheMiB as the database file grows', async () => {
    const bounded = await arenaGrowthMiB(2);
    // The same load with a 16 MiB cache (better-sqlite3's build default) shows what the probe catches.
    const wide = await arenaGrowthMiB(16);
    expect(wide).toBeGreaterThan(12);
    expect(bounded).toBeLessThan(7);
  });
});
