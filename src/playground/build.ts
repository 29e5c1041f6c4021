import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, OutputFile } from 'esbuild';
import { bundleIsStale } from '../lib/bundle-freshness.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The playground's browser sources (also when this file runs compiled from dist/playground). */
const PLAYGROUND_SOURCE_DIR = resolve(here, '../../src/playground');

/** Compiled by `npm run build`, which also bundled the playground: the gateway never builds it then, nor checks it against sources. */
const compiled = import.meta.url.endsWith('.js');

/** Where the bundle goes by default (git-ignored). */
export const DEFAULT_PLAYGROUND_OUT_DIR = resolve(here, '../../dist/playground');

/** The app and Monaco's three workers; `app.js` is written last and marks a complete build. */
export const PLAYGROUND_FILES = ['app.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js', 'app.js'] as const;

/**
 * Monaco's worker entry points (direct dependencies, pinned to the versions GraphiQL uses), bundled
 * as classic scripts the page starts with `new Worker(url)`.
 */
const WORKERS: Record<string, string> = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

export interface BuildPlaygroundOptions {
  /** @default DEFAULT_PLAYGROUND_OUT_DIR */
  outDir?: string;
  /** Minify the bundle. @default true */
  minify?: boolean;
}

/**
 * Bundles GraphiQL, its explorer plugin, React and Monaco with esbuild into a few files the gateway
 * serves itself. Files are written under temporary names and renamed into place, so a gateway
 * serving the folder never reads half a file.
 */
export async function buildPlayground(options: BuildPlaygroundOptions = {}): Promise<{ outDir: string; bytes: number }> {
  const outDir = options.outDir ?? DEFAULT_PLAYGROUND_OUT_DIR;
  // Loaded on demand: esbuild is only needed when a bundle is missing or stale.
  const esbuild = await import('esbuild');
  const common: BuildOptions = {
    bundle: true,
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    outdir: outDir,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    // Monaco's codicon font and GraphiQL's fonts are inlined, so the page needs no font files.
    loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
  };
  const [app, workers] = await Promise.all([
    esbuild.build({ ...common, entryPoints: { app: join(PLAYGROUND_SOURCE_DIR, 'main.ts') }, format: 'esm' }),
    esbuild.build({ ...common, entryPoints: WORKERS, format: 'iife' }),
  ]);
  await mkdir(outDir, { recursive: true });
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  const files: OutputFile[] = [...(workers.outputFiles ?? []), ...(app.outputFiles ?? [])].sort((a, b) => Number(a.path.endsWith('app.js')) - Number(b.path.endsWith('app.js')));
  let bytes = 0;
  for (const file of files) {
    const target = join(outDir, basename(file.path));
    bytes += file.contents.byteLength;
    await writeFile(target + suffix, file.contents);
    await rename(target + suffix, target);
  }
  return { outDir, bytes };
}

/**
 * True when a file of the bundle is missing or older than a source file, running from sources. Always
 * false when compiled: production serves the bundle `npm run build` made and never builds in the
 * request path (a missing file is then an error the request reports).
 */
export async function playgroundNeedsBuild(outDir: string = DEFAULT_PLAYGROUND_OUT_DIR): Promise<boolean> {
  if (compiled) return false;
  return bundleIsStale(outDir, PLAYGROUND_FILES, PLAYGROUND_SOURCE_DIR, /\.(ts|css)$/);
}
