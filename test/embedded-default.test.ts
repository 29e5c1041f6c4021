import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendModules } from '../src/backends/index.js';
import { postGraphQL } from './utils/graphql.js';
import { waitForUrlLine } from './utils/gateway-process.js';

const require = createRequire(import.meta.url);

/** `npm start` with no config, as a new user runs it: emulators, demo batches, the URL line. */
describe('the embedded default', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'batchgate-embedded-'));
  let child: ChildProcess;
  let url = '';
  let exit: Promise<number | null>;

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx/esm')).href, resolve('src/main.ts')], {
      cwd,
      env: { ...process.env, PORT: '0', BATCHGATE_CONFIG: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exit = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    url = await waitForUrlLine(child, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('prints the URL line and federates an emulator of every registered kind', async () => {
    const { body } = await postGraphQL(url, '{ backends { id kind healthy } }');
    expect(body.data.backends).toEqual(backendModules.map((module) => ({ id: `demo-${module.kind}`, kind: module.graphql.kind, healthy: true })));
  });

  it('shows demo batches of every backend, which start running', async () => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const seen = new Map<string, string[]>();
      for (const backend of backendModules.map((module) => `demo-${module.kind}`)) {
        const { body } = await postGraphQL(url, `{ batches(backend: "${backend}", first: 50) { edges { node { state } } } }`);
        expect(body.errors).toBeUndefined();
        seen.set(backend, body.data.batches.edges.map((edge: { node: { state: string } }) => edge.node.state));
      }
      for (const states of seen.values()) expect(states.length).toBeGreaterThan(0);
      const running = [...seen.values()].every((states) => states.includes('RUNNING'));
      if (running) break;
      if (Date.now() > deadline) throw new Error(`not every backend shows a RUNNING batch: ${JSON.stringify([...seen])}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
  });

  it('stops cleanly with exit code 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
