// Runs one browser bundle's build from sources: `node scripts/build-<name>.mjs [outDir]`.
import { register } from 'tsx/esm/api';

/** Builds with `build` exported by the TypeScript module at `source` (relative to this folder) and prints what it wrote. */
export async function runBundleBuild(label, source, build) {
  register();
  const module = await import(new URL(source, import.meta.url).href);
  const outDir = process.argv[2];
  const { outDir: written, bytes } = await module[build](outDir ? { outDir } : {});
  process.stdout.write(`${label} built: ${written} (${Math.round(bytes / 1024)} KiB)\n`);
}
