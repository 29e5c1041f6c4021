import { textField } from '../start-form.js';
import { backendGraphQL, defineBackend, graphqlInputOf } from '../module.js';
import { azureMlConfigSchema } from './config.js';
import { createAzureMlConnector } from './connector.js';
import { startAzureMlEmulator } from './emulator/index.js';
import { azureMlStartInputSchema, type AzureMlStartInput } from './wire.js';

export { startAzureMlEmulator } from './emulator/index.js';

const sample: AzureMlStartInput = {
  kind: 'azureml',
  service: 'TxService',
  version: '1.0',
  records: [
    { hp: 110, wt: 2.62 },
    { hp: 110, wt: 2.875 },
    { hp: 93, wt: 2.32 },
    { hp: 175, wt: 3.44 },
  ],
  parallelCount: 2,
};

/** Microsoft Machine Learning Server (operationalization) batch web-service executions. */
export const azureMlModule = defineBackend({
  kind: 'azureml',
  graphql: backendGraphQL('AZURE_ML', 'azureMl', import.meta.url),
  configSchema: azureMlConfigSchema,
  startInputSchema: azureMlStartInputSchema,
  secretFields: ['password'],
  startForm: {
    title: 'ML Server',
    legend: 'ML Server batch execution',
    fields: [
      textField('service', 'Web service', 'TxService'),
      textField('version', 'Version', '1.0'),
      { name: 'records', label: 'Input records (JSON array)', type: 'json', expect: 'array', rows: 4, default: '[{"hp": 110, "wt": 2.62}, {"hp": 93, "wt": 2.32}]', hint: 'One execution per record.' },
      { name: 'parallelCount', label: 'Parallel executions', type: 'number', min: 1, max: 100, default: 2, required: false },
    ],
  },
  create: createAzureMlConnector,
  startEmulator: startAzureMlEmulator,
  sampleStartInput: () => structuredClone(sample),
  fixtures: {
    sampleGraphQLInput: () => graphqlInputOf(structuredClone(sample)),
    echoError: { kind: 'echo', status: 400, body: '{"code":"BadRequest","message":"{{request}}"}' },
    isStartRequest: (request) => request.method === 'POST' && /^\/api\/[^/]+\/[^/]+\/batch$/.test(request.path),
  },
});
