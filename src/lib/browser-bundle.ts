import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BuildOptions } from 'esbuild';

/** One esbuild run of a bundle: its entry points and output format. */
interface BrowserBuild {
  entryPoints: Record<string, string>;
  format: 'esm' | 'iife';
}

/** What the caller of a bundle's build chooses. */
export interface BundleBuildOptions {
  /** @default the bundle's own folder under dist/ */
  outDir?: string;
  /** Minify the bundle. @default true */
  minify?: boolean;
}

export interface BrowserBundleOptions extends BundleBuildOptions {
  /** Where it goes when `outDir` is not given. */
  defaultOutDir: string;
  /** Run at once; their outputs are written together. */
  builds: readonly BrowserBuild[];
  /** Options every build of this bundle adds (defines, loaders). */
  extra?: BuildOptions;
  /** The name an output file is written under. @default its base name */
  nameOf?: (path: string) => string;
  /** Written after every other file: its presence marks a complete build. */
  last: { name: string; copyOf?: string };
}

/**
 * Bundles browser sources with esbuild into `outDir`. Files are written under temporary names and
 * renamed into place, so a gateway serving the folder (or another process building at the same
 * moment) never reads half a file. Answers where it went and the bytes of the bundled outputs.
 */
export async function buildBrowserBundle(options: BrowserBundleOptions): Promise<{ outDir: string; bytes: number }> {
  const { last } = options;
  const outDir = options.outDir ?? options.defaultOutDir;
  // Loaded on demand: esbuild is only needed when a bundle is missing or stale.
  const esbuild = await import('esbuild');
  const results = await Promise.all(
    options.builds.map((build) =>
      esbuild.build({
        bundle: true,
        platform: 'browser',
        target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
        minify: options.minify ?? true,
        sourcemap: false,
        legalComments: 'none',
        write: false,
        outdir: outDir,
        logLevel: 'silent',
        ...options.extra,
        ...build,
      }),
    ),
  );
  const nameOf = options.nameOf ?? basename;
  const outputs = results.flatMap((result) => (result.outputFiles ?? []).map((file) => ({ name: nameOf(file.path), contents: file.contents })));
  outputs.sort((a, b) => Number(a.name === last.name) - Number(b.name === last.name));
  await mkdir(outDir, { recursive: true });
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  const place = async (name: string, write: (temp: string) => Promise<void>) => {
    const target = join(outDir, name);
    await write(target + suffix);
    await rename(target + suffix, target);
  };
  let bytes = 0;
  for (const output of outputs) {
    bytes += output.contents.byteLength;
    await place(output.name, (temp) => writeFile(temp, output.contents));
  }
  const { copyOf } = last;
  if (copyOf) await place(last.name, (temp) => copyFile(copyOf, temp));
  return { outDir, bytes };
}
