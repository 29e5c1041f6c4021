// Measures what document validation costs the event loop (issue: "Validation CPU"). Run with
// `npx tsx test/probes/validation-flood.ts`: prints the time of one heavy document (refused, or with `passing` the costliest one the caps admit),
// the stall of a flood of 50 distinct heavy documents, and a concurrent `{ __typename }` latency.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestGateway } from '../utils/gateway.js';
import { createMemoryBackend } from '../utils/memory-backend.js';

const refused = (variant: number) => `{ ${'backends { id kind url healthy } '.repeat(220)} } # ${variant}`;
// The costliest shape the default caps let through: one root field repeated 8 times (the
// maxFieldRepeats cap), each with a 17-field subtree that validation compares pairwise.
const passing = (variant: number) =>
  `{ ${'batches { edges { node { id name state nativeStatus backend { id kind url healthy } progress { percent completedItems totalItems failedItems message } } } } '.repeat(8)} } # ${variant}`;
const heavy = process.argv[2] === 'passing' ? passing : refused;

async function post(url: string, query: string): Promise<{ status: number; ms: number; code: unknown }> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: unknown } }> };
  return { status: response.status, ms: performance.now() - started, code: body.errors?.[0]?.extensions?.code };
}

async function main(): Promise<void> {
  const gateway = await startTestGateway({}, { backends: [createMemoryBackend('alpha')] });
  try {
    await post(gateway.url, '{ __typename }');
    console.log('document bytes', Buffer.byteLength(heavy(0)));
    const single = await post(gateway.url, heavy(-1));
    console.log('one heavy document', single.status, single.code, `${single.ms.toFixed(1)} ms`);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const flood = Array.from({ length: 50 }, (_, index) => post(gateway.url, heavy(index)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const probe = await post(gateway.url, '{ __typename }');
    const results = await Promise.all(flood);
    delay.disable();
    console.log('flood of 50 distinct', results.map((result) => result.status).join(','), `slowest ${Math.max(...results.map((result) => result.ms)).toFixed(0)} ms`);
    console.log('concurrent { __typename }', probe.status, `${probe.ms.toFixed(1)} ms`, `event loop max delay ${(delay.max / 1e6).toFixed(0)} ms`);
  } finally {
    await gateway.close();
  }
}

await main();
