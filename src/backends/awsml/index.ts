import { AWS_SECRET_FIELDS } from '../../lib/aws.js';
import { textField } from '../start-form.js';
import { backendGraphQL, defineBackend, graphqlInputOf } from '../module.js';
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
  graphql: backendGraphQL('AWS_ML', 'awsMl', import.meta.url),
  configSchema: awsMlConfigSchema,
  startInputSchema: awsMlStartInputSchema,
  secretFields: AWS_SECRET_FIELDS,
  startForm: {
    title: 'Amazon ML',
    legend: 'Amazon ML batch prediction',
    fields: [
      textField('mlModelId', 'ML model id', sample.mlModelId),
      textField('dataSourceId', 'Data source id', sample.dataSourceId),
      textField('outputUri', 'Output S3 URI', sample.outputUri),
      textField('name', 'Name', 'Started from the dashboard', { required: false }),
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
