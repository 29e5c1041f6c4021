/**
 * Each backend end to end, as a user drives it: GraphQL over HTTP to start, a graphql-ws
 * subscription to watch it to its end, then the details a user reads (executions, steps, artifacts)
 * and the mutations (cancel, rename) — all through the gateway against the real-protocol emulators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { openWsClient, subscribe } from './utils/subscriptions.js';

const START = `mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id nativeId state } } }`;
const WATCH = `subscription($id: ID!) { batchProgress(id: $id) { terminal batch { state progress { percent completedItems totalItems } } } }`;

describe('every backend through the gateway', () => {
  let emulators: EmulatorSet;
  let gw: TestGateway;
  beforeAll(async () => {
    emulators = await startEmulatorSet({ tickMs: 40 });
    gw = await startTestGateway({ backends: emulators.entries, upstream: { timeoutMs: 2000 } }, { fastFaults: true });
  });
  afterAll(async () => {
    await gw?.close();
    await emulators?.close();
  });

  async function start(input: Record<string, unknown>): Promise<{ id: string; nativeId: string }> {
    const { body } = await postGraphQL(gw.url, START, { input });
    expect(body.errors).toBeUndefined();
    return body.data.startBatch.batch;
  }

  async function watchToEnd(id: string): Promise<any[]> {
    const client = openWsClient(gw.wsUrl);
    try {
      const subscription = subscribe(client, WATCH, { id });
      expect(await subscription.done).toBe('complete');
      expect(subscription.errors).toEqual([]);
      return subscription.events;
    } finally {
      await client.dispose();
    }
  }

  it('runs an ML Server batch of N records to N executions whose files download byte for byte', async () => {
    const records = [
      { hp: 110, wt: 2.62 },
      { hp: 95, wt: 3.1 },
      { hp: 150, wt: 3.4 },
    ];
    const batch = await start({ backend: 'azureml', azureMl: { service: 'TxService', version: '1.0', records, parallelCount: 2 } });
    const events = await watchToEnd(batch.id);
    expect(events.at(-1)).toEqual({ terminal: true, batch: { state: 'SUCCEEDED', progress: { percent: 100, completedItems: 3, totalItems: 3 } } });
    expect(events.filter((event) => event.terminal)).toHaveLength(1);

    const { body } = await postGraphQL(
      gw.url,
      `query($id: ID!) { batch(id: $id) { executions { totalCount edges { node { index state response { statusCode body } artifacts { name url } } } } } }`,
      { id: batch.id },
    );
    const executions = body.data.batch.executions;
    expect(executions.totalCount).toBe(3);
    const connection = emulators.byKind.azureml.connection as { url: string; username: string; password: string };
    const login = await fetch(`${connection.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: connection.username, password: connection.password }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const [service, version, executionId] = batch.nativeId.split('/');
    for (const { node } of executions.edges) {
      expect(node).toMatchObject({ state: 'SUCCEEDED', response: { statusCode: 200 }, artifacts: [{ name: 'answer.csv' }] });
      const viaGateway = await fetch(node.artifacts[0].url);
      expect(viaGateway.status).toBe(200);
      const direct = await fetch(`${connection.url}/api/${service}/${version}/batch/${executionId}/${node.index + 1}/files/answer.csv`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(Buffer.from(await viaGateway.arrayBuffer())).toEqual(Buffer.from(await direct.arrayBuffer()));
      expect(viaGateway.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    }
  });

  it('runs an Amazon ML prediction to its end, renames it, and cancels another', async () => {
    // The emulator's always-present model and data source: a prediction must name ones that exist.
    const input = { mlModelId: 'ml-sample-model', dataSourceId: 'ds-sample', outputUri: 's3://bucket/out/' };
    const batch = await start({ backend: 'awsml', awsMl: { ...input, name: 'churn scoring' } });
    const events = await watchToEnd(batch.id);
    expect(events.at(-1).batch.state).toBe('SUCCEEDED');

    const capabilities = await postGraphQL(gw.url, '{ backends { kind capabilities { rename } } }');
    const renamable = (capabilities.body.data.backends as Array<{ kind: string; capabilities: { rename: boolean } }>).filter((backend) => backend.capabilities.rename);
    expect(renamable.map((backend) => backend.kind)).toEqual(['AWS_ML']);
    const renamed = await postGraphQL(gw.url, `mutation($id: ID!) { renameBatch(id: $id, name: "churn scoring (final)") { batch { name } } }`, { id: batch.id });
    expect(renamed.body.data.renameBatch.batch.name).toBe('churn scoring (final)');
    const details = await postGraphQL(gw.url, `query($id: ID!) { batch(id: $id) { name nativeStatus executions { edges { node { artifacts { name url } } } } } }`, { id: batch.id });
    expect(details.body.data.batch).toMatchObject({ name: 'churn scoring (final)', nativeStatus: 'COMPLETED' });
    expect(details.body.data.batch.executions.edges[0].node.artifacts).toEqual([{ name: 'log', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//) }]);

    const other = await start({ backend: 'awsml', awsMl: input });
    const cancelled = await postGraphQL(gw.url, `mutation($id: ID!) { cancelBatch(id: $id) { batch { state nativeStatus } } }`, { id: other.id });
    expect(cancelled.body.data.cancelBatch.batch).toEqual({ state: 'CANCELLED', nativeStatus: 'DELETED' });
  });

  it('runs an SLV commissioning that ends with warnings, lists it, and cancels another', async () => {
    const batch = await start({ backend: 'slv', slv: { commissionDevices: { controllerStrId: 'ctrl-7', idOnController: ['lamp-1', 'missing-lamp-2'] } } });
    const events = await watchToEnd(batch.id);
    expect(events.at(-1).batch.state).toBe('SUCCEEDED');
    const details = await postGraphQL(gw.url, `query($id: ID!) { batch(id: $id) { steps { name status warningCount messages { severity text } } } }`, { id: batch.id });
    const steps = details.body.data.batch.steps as Array<{ status: string; warningCount: number; messages: Array<{ severity: string }> }>;
    expect(steps.some((step) => step.status === 'WARNING' && step.warningCount > 0 && step.messages.some((message) => message.severity === 'WARNING'))).toBe(true);

    const listed = await postGraphQL(gw.url, `{ batches(backend: "slv") { edges { node { id } } } }`);
    expect(listed.body.data.batches.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(batch.id);

    const other = await start({ backend: 'slv', slv: { commissionController: { controllerStrId: 'ctrl-8', flags: 7 } } });
    const cancel = await postGraphQL(gw.url, `mutation($id: ID!) { cancelBatch(id: $id) { batch { state } } }`, { id: other.id });
    expect(['CANCELLING', 'CANCELLED']).toContain(cancel.body.data.cancelBatch.batch.state);
    expect((await watchToEnd(other.id)).at(-1).batch.state).toBe('CANCELLED');
  });
});
