import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowserBundle, type BundleBuildOptions } from '../lib/browser-bundle.js';
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

/**
 * Bundles GraphiQL, its explorer plugin, React and Monaco with esbuild into a few files the gateway
 * serves itself (written atomically, `app.js` last).
 */
export function buildPlayground(options: BundleBuildOptions = {}): Promise<{ outDir: string; bytes: number }> {
  return buildBrowserBundle({
    ...options,
    defaultOutDir: DEFAULT_PLAYGROUND_OUT_DIR,
    builds: [
      { entryPoints: { app: join(PLAYGROUND_SOURCE_DIR, 'main.ts') }, format: 'esm' },
      { entryPoints: WORKERS, format: 'iife' },
    ],
    extra: {
      define: { 'process.env.NODE_ENV': '"production"' },
      // Monaco's codicon font and GraphiQL's fonts are inlined, so the page needs no font files.
      loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
    },
    last: { name: 'app.js' },
  });
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
