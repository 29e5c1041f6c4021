import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * True when a file of a browser bundle is missing from `outDir`, or older than a source file in
 * `sourceDir` whose name matches `sources` (tests and `build.ts` itself excepted). A folder without
 * sources (a packaged install) counts as fresh: it serves whatever bundle it has.
 */
export async function bundleIsStale(outDir: string, files: readonly string[], sourceDir: string, sources: RegExp): Promise<boolean> {
  let built = Number.POSITIVE_INFINITY;
  for (const name of files) {
    try {
      built = Math.min(built, (await stat(join(outDir, name))).mtimeMs);
    } catch {
      return true;
    }
  }
  for (const name of await readdir(sourceDir).catch(() => [] as string[])) {
    if (!sources.test(name) || name.endsWith('.test.ts') || name === 'build.ts') continue;
    if ((await stat(join(sourceDir, name))).mtimeMs > built) return true;
  }
  return false;
}
