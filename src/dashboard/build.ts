import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowserBundle, type BundleBuildOptions } from '../lib/browser-bundle.js';
import { bundleIsStale } from '../lib/bundle-freshness.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The dashboard's TypeScript, CSS and HTML sources (also when this file runs compiled from dist/dashboard). */
const DASHBOARD_SOURCE_DIR = resolve(here, '../../src/dashboard');

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
  return bundleIsStale(outDir, DASHBOARD_FILES, DASHBOARD_SOURCE_DIR, /\.(ts|css|html)$/);
}
