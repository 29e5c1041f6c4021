import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { startDemoGateway, type DemoGateway } from './utils/dashboard-gateway.js';
import { postGraphQL } from './utils/graphql.js';

let demo: DemoGateway;
beforeAll(async () => {
  demo = await startDemoGateway();
});
afterAll(async () => {
  await demo?.close();
});

/** A stdout that claims to be a terminal, collecting what is written. */
function fakeTerminal(): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('batchgate list on a terminal', () => {
  it('starts with a header row naming the columns', async () => {
    const terminal = fakeTerminal();
    const code = await runCli(['list', '--url', demo.gateway.url], {}, { stdout: terminal.stream, stderr: new PassThrough() });
    expect(code).toBe(0);
    const [header, first] = terminal.text().split('\n');
    expect(header).toMatch(/^BACKEND\s+STATE\s+PERCENT\s+NAME\s+ID$/);
    expect(first).toMatch(/^demo-/);
  });
});

describe('batchgate watch on a terminal', () => {
  it('redraws one line with a bar, then ends it with a newline and the final state', async () => {
    const started = await postGraphQL<{ startBatch: { batch: { id: string } } }>(
      demo.gateway.url,
      'mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id } } }',
      { input: { backend: 'demo-azureml', azureMl: { service: 'TxService', version: '1.0', records: [{ hp: 1, wt: 2 }, { hp: 2, wt: 2 }, { hp: 3, wt: 2 }], parallelCount: 1 } } },
    );
    const terminal = fakeTerminal();
    const stderr = new PassThrough();
    const code = await runCli(['watch', started.body.data!.startBatch.batch.id, '--url', demo.gateway.url], {}, { stdout: terminal.stream, stderr });
    expect(code).toBe(0);
    const text = terminal.text();
    const [header, live, final] = text.split('\n');
    expect(header).toMatch(/^Watching TxService 1\.0 on demo-azureml/);
    // Each redraw returns to the line start and clears it, so the line is replaced, not repeated.
    const frames = live!.split('\r\x1b[2K').filter(Boolean);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.at(-1)).toMatch(/^\[#{24}\] SUCCEEDED\s+100% {2}3\/3 items/);
    for (const frame of frames) expect(frame.length).toBeLessThan(100);
    expect(final).toBe('SUCCEEDED 100%');
  });
});
