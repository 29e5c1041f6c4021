import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { backendModules } from '../src/backends/index.js';
import { startTestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

it('npm run emulators prints one config entry per registered backend, serves a gateway configured with them, and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/emulators.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const entries: Array<Record<string, unknown>> = [];
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    entries.push(JSON.parse(line) as Record<string, unknown>);
    if (entries.length === backendModules.length) break;
  }
  expect(entries.map((entry) => entry['kind'])).toEqual(backendModules.map((module) => module.kind));
  for (const entry of entries) expect(entry['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);

  const gateway = await startTestGateway({ backends: entries.map((entry) => ({ id: `demo-${String(entry['kind'])}`, ...entry })) });
  cleanups.push(() => gateway.close());
  for (const module of backendModules) {
    const started = await gateway.gateway.service.startBatch(`demo-${module.kind}`, module.sampleStartInput());
    expect(started.backendId).toBe(`demo-${module.kind}`);
  }
  const listed = await postGraphQL(gateway.url, '{ backends { id } }');
  expect(listed.body.data.backends.map((backend: { id: string }) => backend.id)).toEqual(backendModules.map((module) => `demo-${module.kind}`));

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

it('npm run emulators refuses a latency that is not a number of ms, with exit 2', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/emulators.ts', '--latency-ms', 'soon'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toContain('Expected --latency-ms <0..60000>, got soon');
});
