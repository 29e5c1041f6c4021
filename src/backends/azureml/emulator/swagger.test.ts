import { afterEach, beforeEach, expect, it } from 'vitest';
import { startAzureMlEmulator, type AzureMlEmulator } from './index.js';

let emulator: AzureMlEmulator;
beforeEach(async () => {
  emulator = await startAzureMlEmulator({ tickMs: 600_000 });
});
afterEach(async () => {
  await emulator.close();
});

it('serves a Swagger 2.0 document per service at /api/{name}/{version}/swagger.json, naming its inputs and batch paths', async () => {
  const login = await fetch(`${emulator.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(emulator.connection) });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const response = await fetch(`${emulator.url}/api/TxService/1.0/swagger.json`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const swagger = (await response.json()) as { swagger: string; paths: Record<string, Record<string, { operationId: string }>>; definitions: Record<string, { properties: Record<string, unknown> }> };
  expect(swagger.swagger).toBe('2.0');
  expect(Object.keys(swagger.definitions['InputParameters']!.properties)).toEqual(['hp', 'wt']);
  expect(swagger.paths['/api/TxService/1.0/batch']!['post']!.operationId).toBe('StartBatchExecution');
  expect(Object.keys(swagger.paths)).toContain('/api/TxService/1.0/batch/{executionId}/{index}/files/{fileName}');
  expect((await fetch(`${emulator.url}/api/NoSuch/1.0/swagger.json`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
});
