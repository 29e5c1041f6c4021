import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { stripIgnoredCharacters } from 'graphql';
import { buildBrowserBundle, type BundleBuildOptions } from '../lib/browser-bundle.js';
import { bundleIsStale } from '../lib/bundle-freshness.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The dashboard's TypeScript, CSS and HTML sources (also when this file runs compiled from dist/dashboard). */
const DASHBOARD_SOURCE_DIR = resolve(here, '../../src/dashboard');

/** Other sources the bundle is made of: the GraphQL client and the dashboard's generated documents. */
const SHARED_SOURCE_DIRS = [resolve(here, '../../src/client'), resolve(here, '../../src/generated/client/dashboard')];

/** Compiled by `npm run build`, which also bundled the dashboard: the gateway never builds it then, nor checks it against sources. */
const compiled = import.meta.url.endsWith('.js');

/** Where the bundle goes by default: git-ignored, next to the sources' project root. */
export const DEFAULT_DASHBOARD_OUT_DIR = resolve(here, '../../dist/dashboard');

/** The files a built dashboard consists of. */
export const DASHBOARD_FILES = ['index.html', 'app.js', 'app.css'] as const;

/** Bundles the dashboard with esbuild (written atomically, `index.html` last). */
export function buildDashboard(options: BundleBuildOptions = {}): Promise<{ outDir: string; bytes: number }> {
  return buildBrowserBundle({
    ...options,
    defaultOutDir: DEFAULT_DASHBOARD_OUT_DIR,
    builds: [{ entryPoints: { app: join(DASHBOARD_SOURCE_DIR, 'main.ts'), 'app-style': join(DASHBOARD_SOURCE_DIR, 'styles.css') }, format: 'esm' }],
    extra: { plugins: [compactDocuments] },
    nameOf: (path) => (path.endsWith('.css') ? 'app.css' : 'app.js'),
    last: { name: 'index.html', copyOf: join(DASHBOARD_SOURCE_DIR, 'index.html') },
  });
}

/**
 * True when a file of the bundle is missing or older than a source file, running from sources. Always
 * false when compiled: production serves the bundle `npm run build` made and never builds in the
 * request path (a missing file is then an error the request reports).
 */
export async function dashboardNeedsBuild(outDir: string = DEFAULT_DASHBOARD_OUT_DIR): Promise<boolean> {
  if (compiled) return false;
  for (const dir of [DASHBOARD_SOURCE_DIR, ...SHARED_SOURCE_DIRS]) {
    if (await bundleIsStale(outDir, DASHBOARD_FILES, dir, /\.(ts|css|html)$/)) return true;
  }
  return false;
}

const GENERATED_DOCUMENT = /new TypedDocumentString\(`([^`]*)`/g;

/**
 * Generated documents go into the bundle without their indentation, and those nothing uses (the
 * fragments' own documents) are left out: their constructor call is marked free of side effects.
 */
const compactDocuments: Plugin = {
  name: 'compact-graphql-documents',
  setup(build) {
    build.onLoad({ filter: /[\\/]generated[\\/]client[\\/].*\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replace(GENERATED_DOCUMENT, (_match, document: string) => `/* @__PURE__ */ new TypedDocumentString(\`${stripIgnoredCharacters(document)}\``);
      return { contents, loader: 'ts' };
    });
  },
};
