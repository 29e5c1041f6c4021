#!/usr/bin/env node
// Bundles the playground (src/playground → dist/playground). Run by `npm install` through the
// "prepare" script; run from sources, the gateway also builds it on the first request when it is missing.
import { register } from 'tsx/esm/api';

register();
const { buildPlayground } = await import('../src/playground/build.ts');
const outDir = process.argv[2];
const { outDir: written, bytes } = await buildPlayground(outDir ? { outDir } : {});
process.stdout.write(`playground built: ${written} (${Math.round(bytes / 1024)} KiB)\n`);
