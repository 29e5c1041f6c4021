#!/usr/bin/env node
// Bundles the dashboard (src/dashboard → dist/dashboard). Run by `npm install` through the
// "prepare" script; run from sources, the gateway also builds it on the first request when it is missing.
import { runBundleBuild } from './bundle-cli.mjs';

await runBundleBuild('dashboard', '../src/dashboard/build.ts', 'buildDashboard');
