#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json), copies the plain files the
// compiled server reads next to itself (each backend's schema.graphql), and bundles the dashboard and
// the playground into dist/dashboard and dist/playground. `node dist/main.js` then needs production dependencies only.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

/** Runtime assets that are not TypeScript (the dashboard's sources are bundled instead). */
const ASSET = /\.(js|json|html|css|graphql)$/;
const copyAssets = (folder) => {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(root, 'src', 'dashboard')) copyAssets(path);
    } else if (ASSET.test(entry.name) && entry.name !== 'tsconfig.json') {
      cpSync(path, join(dist, relative(join(root, 'src'), path)));
    }
  }
};
copyAssets(join(root, 'src'));

const { buildDashboard } = await import(new URL('../dist/dashboard/build.js', import.meta.url).href);
const { bytes } = await buildDashboard();
const { buildPlayground } = await import(new URL('../dist/playground/build.js', import.meta.url).href);
const playground = await buildPlayground();
process.stdout.write(`built dist/ (dashboard ${Math.round(bytes / 1024)} KiB, playground ${Math.round(playground.bytes / 1024)} KiB)\n`);
