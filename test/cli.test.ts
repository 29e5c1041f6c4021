import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../src/backends/module.js';
import { startEmulators } from '../src/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { runCliProcess, startGatewayProcess, type CliResult, type GatewayProcess } from './utils/gateway-process.js';

let emulators: EmulatorHandle[] = [];
let gateway: GatewayProcess;
let secured: GatewayProcess;
const TOKEN = 'cli-test-token';

beforeAll(async () => {
  const started = await startEmulators(undefined, { tickMs: 100 });
  emulators = started.emulators;
  const config = { backends: started.entries, polling: { intervalMs: 200, maxIntervalMs: 1000, listIntervalMs: 500 } };
  [gateway, secured] = await Promise.all([startGatewayProcess({ config }), startGatewayProcess({ config: { ...config, auth: { tokens: [TOKEN] } } })]);
});
afterAll(async () => {
  await Promise.all([gateway?.close(), secured?.close()]);
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

const START = 'mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id } } }';
async function startBatch(url: string, input: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const result = await postGraphQL<{ startBatch: { batch: { id: string } } }>(url, START, { input }, headers);
  if (!result.body.data) throw new Error(`startBatch answered ${result.status}: ${JSON.stringify(result.body.errors)}`);
  return result.body.data.startBatch.batch.id;
}

/**
 * Runs `batchgate watch` on a long ML Server batch (one record at a time), calling `act` once when
 * its output first matches `when`.
 */
async function watchLongBatch(records: number, when: RegExp, act: (id: string, child: ChildProcess) => void): Promise<{ result: CliResult; acted: boolean }> {
  const id = await startBatch(gateway.url, {
    backend: 'demo-azureml',
    azureMl: { service: 'TxService', version: '1.0', records: Array.from({ length: records }, (_, hp) => ({ hp, wt: 2 })), parallelCount: 1 },
  });
  let acted = false;
  const result = await runCliProcess(['watch', id, '--url', gateway.url], {}, {
    onStdout: (text, child) => {
      if (!acted && when.test(text)) {
        acted = true;
        act(id, child);
      }
    },
  });
  return { result, acted };
}

describe('batchgate list', () => {
  it('prints one line per batch of every backend, ending with the batch id', async () => {
    const result = await runCliProcess(['list', '--url', gateway.url]);
    expect(result.code).toBe(0);
    const listed = await postGraphQL<{ batches: { edges: Array<{ node: { id: string } }> } }>(gateway.url, '{ batches(first: 100) { edges { node { id } } } }');
    const lines = result.stdout.trimEnd().split('\n');
    const ids = lines.map((line) => line.split(/\s+/).at(-1));
    // Demo batches keep coming: every line is a batch the gateway knows, and none is missing that it knew before.
    const known = new Set(listed.body.data!.batches.edges.map((edge) => edge.node.id));
    expect(ids.filter((id) => known.has(id!)).length).toBeGreaterThanOrEqual(known.size - 2);
    expect(lines.some((line) => line.startsWith('demo-azureml'))).toBe(true);
    expect(lines.some((line) => line.startsWith('demo-awsml'))).toBe(true);
    expect(result.stderr).toBe('');
  });

  it('prints a JSON array of the batches with --json', async () => {
    const result = await runCliProcess(['list', '--json', '--url', gateway.url]);
    expect(result.code).toBe(0);
    const batches = JSON.parse(result.stdout) as Array<{ id: string; backend: { id: string }; state: string }>;
    // Backends that cannot list show only batches started through the gateway, and nothing here started one.
    const backends = await postGraphQL<{ backends: Array<{ id: string; capabilities: { list: boolean } }> }>(gateway.url, '{ backends { id capabilities { list } } }');
    const listing = backends.body.data!.backends.filter((backend) => backend.capabilities.list).map((backend) => backend.id);
    expect(new Set(batches.map((batch) => batch.backend.id))).toEqual(new Set(listing));
    expect(batches.every((batch) => typeof batch.id === 'string' && typeof batch.state === 'string')).toBe(true);
  });

  it('prints its version with --version', async () => {
    const result = await runCliProcess(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^batchgate \d+\.\d+\.\d+/);
  });

  it('takes the URL from BATCHGATE_URL when --url is not given', async () => {
    const result = await runCliProcess(['list'], { BATCHGATE_URL: gateway.url });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').length).toBeGreaterThan(1);
  });

  it('exits 4 with UNAUTHENTICATED without the token, and lists with --token or BATCHGATE_TOKEN', async () => {
    const refused = await runCliProcess(['list', '--url', secured.url]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('UNAUTHENTICATED');
    expect(refused.stdout).toBe('');
    const withFlag = await runCliProcess(['list', '--url', secured.url, '--token', TOKEN]);
    expect(withFlag.code).toBe(0);
    const withEnv = await runCliProcess(['list'], { BATCHGATE_URL: secured.url, BATCHGATE_TOKEN: TOKEN });
    expect(withEnv.code).toBe(0);
    expect(withEnv.stdout.length).toBeGreaterThan(0);
  });

  it('exits 4 when no gateway answers at the URL', async () => {
    const result = await runCliProcess(['list', '--url', 'http://127.0.0.1:9/graphql']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('CONNECTION_FAILED');
  });

  it('exits 2 on a usage error', async () => {
    expect((await runCliProcess(['frobnicate'])).code).toBe(2);
    expect((await runCliProcess(['watch'])).code).toBe(2);
    expect((await runCliProcess(['list', '--bogus'])).code).toBe(2);
    const help = await runCliProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('batchgate watch ID');
  });
});

describe('batchgate watch', () => {
  it('follows a batch to SUCCEEDED with plain lines when stdout is not a terminal, and exits 0', async () => {
    const id = await startBatch(gateway.url, { backend: 'demo-azureml', azureMl: { service: 'TxService', version: '1.0', records: [{ hp: 1, wt: 2 }, { hp: 2, wt: 3 }, { hp: 3, wt: 4 }], parallelCount: 1 } });
    const result = await runCliProcess(['watch', id, '--url', gateway.url]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Watching TxService 1\.0 on demo-azureml /);
    expect(lines.at(-1)).toMatch(/^SUCCEEDED 100%/);
    // No cursor control codes: the output is for logs and pipes.
    expect([...result.stdout].filter((char) => char === '\r' || char === '\u001b')).toEqual([]);
    expect(lines.filter((line) => line.startsWith('SUCCEEDED')).length).toBe(2);
  });

  it('exits 1 when the batch fails, naming the failure', async () => {
    const id = await startBatch(gateway.url, { backend: 'demo-slv', slv: { commissionController: { controllerStrId: 'offline-cli-01', flags: 1 } } });
    const result = await runCliProcess(['watch', id, '--url', gateway.url]);
    expect(result.code).toBe(1);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^FAILED /);
  });

  it('exits 3 when the batch is cancelled while watched', async () => {
    // Cancel once the watcher has shown the running batch.
    const { result, acted: cancelled } = await watchLongBatch(100, /\nRUNNING/, (id) => {
      void postGraphQL(gateway.url, 'mutation($id: ID!) { cancelBatch(id: $id) { batch { state } } }', { id });
    });
    expect(cancelled).toBe(true);
    expect(result.code).toBe(3);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^CANCELLED/);
  });

  it('exits 130 on Ctrl-C (SIGINT) while watching', async () => {
    const { result, acted: interrupted } = await watchLongBatch(200, /^Watching /, (_id, child) => child.kill('SIGINT'));
    expect(interrupted).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted');
  });

  it('exits 4 with BATCH_NOT_FOUND for a batch the backend does not know', async () => {
    const result = await runCliProcess(['watch', 'QmF0Y2g6ZGVtby1hd3NtbDpuby1zdWNoLWJhdGNo', '--url', gateway.url]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('BATCH_NOT_FOUND');
  });

  it('sends the token in connectionParams, and exits 4 with UNAUTHENTICATED without it', async () => {
    const id = await startBatch(secured.url, { backend: 'demo-slv', slv: { commissionController: { controllerStrId: 'cli-token-01', flags: 1 } } }, { authorization: `Bearer ${TOKEN}` });
    const refused = await runCliProcess(['watch', id, '--url', secured.url]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('UNAUTHENTICATED');
    const watched = await runCliProcess(['watch', id], { BATCHGATE_URL: secured.url, BATCHGATE_TOKEN: TOKEN });
    expect(watched.code).toBe(0);
  });
});
