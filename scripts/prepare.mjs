#!/usr/bin/env node
// Run by `npm install` / `npm ci` ("prepare"): bundles the dashboard and the playground when the dev dependencies are
// installed. A production install (`--omit=dev`) has no bundler and uses the dist/ that
// `npm run build` wrote before the copy, so there is nothing to do.
try {
  await import('tsx/esm/api');
  await import('esbuild');
} catch {
  process.stdout.write('prepare: dev dependencies not installed; using the dist/ from `npm run build`\n');
  process.exit(0);
}
await import('./build-dashboard.mjs');
await import('./build-playground.mjs');
