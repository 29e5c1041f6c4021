import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeSupportWarning } from '../src/gateway.js';
import { startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { memoryLogger } from './utils/logs.js';

/**
 * On Node.js 20 the operator learns once, in the JSON log, that it is past its end of life and that
 * the AWS SDK will soon need Node.js 22; the SDK's own multi-line warning does not reach stderr.
 */

let emulators: EmulatorSet;
let gateway: TestGateway;
const logs = memoryLogger('warn');
const warnings: string[] = [];
const onWarning = (warning: Error) => void warnings.push(`${warning.name}: ${warning.message}`);

beforeAll(async () => {
  process.on('warning', onWarning);
  emulators = await startEmulatorSet();
  gateway = await startTestGateway({ backends: emulators.entries }, { logger: logs.logger });
});
afterAll(async () => {
  process.off('warning', onWarning);
  await gateway?.close();
  await emulators?.close();
});

describe('the Node.js the gateway runs on', () => {
  it('says which versions are past their end of life', () => {
    expect(nodeSupportWarning('v20.19.0')).toContain('past its end of life');
    expect(nodeSupportWarning('v22.12.0')).toBeNull();
    expect(nodeSupportWarning('v24.11.1')).toBeNull();
  });

  it('is named once in the log on Node.js 20, and the AWS SDK prints no warning of its own', async () => {
    // Every backend answers its health probe, the AWS ones through their SDK clients.
    const { body } = await postGraphQL<{ backends: Array<{ kind: string; healthy: boolean }> }>(gateway.url, '{ backends { kind healthy } }');
    expect(body.data?.backends.length).toBeGreaterThanOrEqual(4);
    expect(body.data?.backends.every((backend) => backend.healthy)).toBe(true);
    const lines = logs.lines.map((line) => JSON.parse(line) as { msg: string; node?: string }).filter((entry) => entry.msg.includes('end of life'));
    expect(lines).toEqual(Number(process.versions.node.split('.')[0]) < 22 ? [expect.objectContaining({ node: process.version })] : []);
    expect(warnings.filter((warning) => warning.includes('NodeVersionSupportWarning'))).toEqual([]);
  });
});
