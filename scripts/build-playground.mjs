#!/usr/bin/env node
// Bundles the playground (src/playground → dist/playground). Run by `npm install` through the
// "prepare" script; run from sources, the gateway also builds it on the first request when it is missing.
import { runBundleBuild } from './bundle-cli.mjs';

await runBundleBuild('playground', '../src/playground/build.ts', 'buildPlayground');
