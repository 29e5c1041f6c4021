import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { stripIgnoredCharacters } from 'graphql';
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

export interface BuildDashboardOptions {
  /** @default DEFAULT_DASHBOARD_OUT_DIR */
  outDir?: string;
  /** Minify the bundle. @default true */
  minify?: boolean;
}

/**
 * Bundles the dashboard with esbuild. Files are written under temporary names and renamed into
 * place, so a gateway serving the folder (or another process building at the same moment) never
 * reads half a file.
 */
export async function buildDashboard(options: BuildDashboardOptions = {}): Promise<{ outDir: string; bytes: number }> {
  const outDir = options.outDir ?? DEFAULT_DASHBOARD_OUT_DIR;
  // Loaded on demand: esbuild is only needed when a bundle is missing or stale.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: { app: join(DASHBOARD_SOURCE_DIR, 'main.ts'), 'app-style': join(DASHBOARD_SOURCE_DIR, 'styles.css') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    outdir: outDir,
    logLevel: 'silent',
    plugins: [compactDocuments],
  });
  await mkdir(outDir, { recursive: true });
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  let bytes = 0;
  const place = async (name: string, write: (temp: string) => Promise<void>) => {
    const target = join(outDir, name);
    await write(target + suffix);
    await rename(target + suffix, target);
  };
  for (const file of result.outputFiles) {
    const name = file.path.endsWith('.css') ? 'app.css' : 'app.js';
    bytes += file.contents.byteLength;
    await place(name, (temp) => writeFile(temp, file.contents));
  }
  // index.html last: its presence marks a complete build.
  await place('index.html', (temp) => copyFile(join(DASHBOARD_SOURCE_DIR, 'index.html'), temp));
  return { outDir, bytes };
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
