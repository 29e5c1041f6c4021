import { AWS_SECRET_FIELDS } from '../../lib/aws.js';
import { defineBackend, graphqlInputOf, readSchemaFile } from '../module.js';
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
  secretFields: AWS_SECRET_FIELDS,
  startForm: {
    title: 'Amazon ML',
    legend: 'Amazon ML batch prediction',
    fields: [
      { name: 'mlModelId', label: 'ML model id', type: 'text', default: sample.mlModelId },
      { name: 'dataSourceId', label: 'Data source id', type: 'text', default: sample.dataSourceId },
      { name: 'outputUri', label: 'Output S3 URI', type: 'text', default: sample.outputUri },
      { name: 'name', label: 'Name', type: 'text', default: 'Started from the dashboard', required: false },
    ],
  },
  create: createAwsMlConnector,
  startEmulator: startAwsMlEmulator,
  sampleStartInput: () => ({ ...sample }),
  fixtures: {
    sampleGraphQLInput: () => graphqlInputOf(sample),
    echoError: { kind: 'echo', status: 400, body: '{"__type":"com.amazonaws.machinelearning#InvalidInputException","message":"{{request}}"}' },
    isStartRequest: (request) => request.headers['x-amz-target'] === 'AmazonML_20141212.CreateBatchPrediction',
  },
});
