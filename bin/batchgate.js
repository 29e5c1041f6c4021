#!/usr/bin/env node
// The `batchgate` command: `batchgate serve` runs the gateway, every other command the client CLI.
// A development checkout (tsx installed) runs the TypeScript sources, so they are never stale; a
// production install (`npm ci --omit=dev`, no tsx) runs the compiled dist/ that `npm run build` wrote.
import { existsSync } from 'node:fs';

let root = new URL('../dist/', import.meta.url);
let extension = '.js';
try {
  const { register } = await import('tsx/esm/api');
  register();
  root = new URL('../src/', import.meta.url);
  extension = '.ts';
} catch {
  if (!existsSync(new URL(`main${extension}`, root))) {
    process.stderr.write('batchgate: dist/ is missing: run `npm run build` (needs the dev dependencies) or `npm install`\n');
    process.exit(1);
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'serve') {
  const { runServeProgram } = await import(new URL(`serve${extension}`, root).href);
  runServeProgram(rest);
} else {
  const { main } = await import(new URL(`cli/main${extension}`, root).href);
  await main();
}
