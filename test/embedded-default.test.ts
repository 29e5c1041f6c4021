import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
    // Every read on the way must already be whole: errors and empty lists are kept, not retried.
    const errors: unknown[] = [];
    const empty: string[] = [];
    await vi.waitFor(
      async () => {
        const seen = new Map<string, string[]>();
        for (const backend of backendModules.map((module) => `demo-${module.kind}`)) {
          const { body } = await postGraphQL(url, `{ batches(backend: "${backend}", first: 50) { edges { node { state } } } }`);
          errors.push(...(body.errors ?? []));
          const states = (body.data?.batches.edges ?? []).map((edge: { node: { state: string } }) => edge.node.state);
          if (states.length === 0) empty.push(backend);
          seen.set(backend, states);
        }
        expect([...seen.values()].every((states) => states.includes('RUNNING')), `not every backend shows a RUNNING batch: ${JSON.stringify([...seen])}`).toBe(true);
      },
      { timeout: 20_000, interval: 500 },
    );
    expect(errors).toEqual([]);
    expect(empty).toEqual([]);
  });

  it('stops cleanly with exit code 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
