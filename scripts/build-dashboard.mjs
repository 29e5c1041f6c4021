#!/usr/bin/env node
// Bundles the dashboard (src/dashboard → dist/dashboard). Run by `npm install` through the
// "prepare" script; run from sources, the gateway also builds it on the first request when it is missing.
import { register } from 'tsx/esm/api';

register();
const { buildDashboard } = await import('../src/dashboard/build.ts');
const outDir = process.argv[2];
const { outDir: written, bytes } = await buildDashboard(outDir ? { outDir } : {});
process.stdout.write(`dashboard built: ${written} (${Math.round(bytes / 1024)} KiB)\n`);
