#!/usr/bin/env node
// The `batchgate` command. The project runs from its TypeScript sources, so this shim registers
// tsx's loader and hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
await main();
