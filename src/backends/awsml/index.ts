import { readSchemaFile, defineBackend } from '../module.js';
import { awsMlConfigSchema } from './config.js';
import { createAwsMlConnector } from './connector.js';
import { startAwsMlEmulator } from './emulator/index.js';
import { awsMlStartInputSchema, type AwsMlStartInput } from './wire.js';

const sample: AwsMlStartInput = {
  kind: 'awsml',
  mlModelId: 'ml-sample-model',
  dataSourceId: 'ds-sample',
  outputUri: 's3://batchgate-sample-output/predictions/',
  name: 'Sample batch prediction',
  batchPredictionId: null,
};

/** Amazon Machine Learning batch predictions (kind `awsml`). */
export const awsMlModule = defineBackend({
  kind: 'awsml',
  graphql: { kind: 'AWS_ML', inputField: 'awsMl', typeDefs: readSchemaFile(new URL('./schema.graphql', import.meta.url)) },
  configSchema: awsMlConfigSchema,
  startInputSchema: awsMlStartInputSchema,
  secretFields: ['secretAccessKey', 'sessionToken'],
  startForm: {
    title: 'Amazon ML',
    legend: 'Amazon ML batch prediction',
    fields: [
      { name: 'mlModelId', label: 'ML model id', type: 'text', default: 'ml-sample-model' },
      { name: 'dataSourceId', label: 'Data source id', type: 'text', default: 'ds-sample' },
      { name: 'outputUri', label: 'Output S3 URI', type: 'text', default: 's3://batchgate-sample-output/predictions/' },
      { name: 'name', label: 'Name', type: 'text', default: 'Started from the dashboard', required: false },
    ],
  },
  create: (config, context) => createAwsMlConnector(config, context),
  startEmulator: (options) => startAwsMlEmulator(options),
  sampleStartInput: () => ({ ...sample }),
  fixtures: {
    sampleGraphQLInput: () => ({ mlModelId: sample.mlModelId, dataSourceId: sample.dataSourceId, outputUri: sample.outputUri, name: sample.name }),
    echoError: { kind: 'echo', status: 400, body: '{"__type":"com.amazonaws.machinelearning#InvalidInputException","message":"{{request}}"}' },
    isStartRequest: (request) => request.headers['x-amz-target'] === 'AmazonML_20141212.CreateBatchPrediction',
  },
});
