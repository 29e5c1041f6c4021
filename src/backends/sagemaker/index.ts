import { AWS_SECRET_FIELDS } from '../../lib/aws.js';
import { textField } from '../start-form.js';
import { backendGraphQL, defineBackend, graphqlInputOf } from '../module.js';
import { sageMakerConfigSchema } from './config.js';
import { createSageMakerConnector } from './connector.js';
import { startSageMakerEmulator } from './emulator/index.js';
import { sageMakerStartInputSchema, type SageMakerStartInput } from './wire.js';

/** A job the emulator runs to success quickly: its built-in sample model, a small CSV prefix. */
const sample: SageMakerStartInput = {
  kind: 'sagemaker',
  modelName: 'batchgate-sample-model',
  inputS3Uri: 's3://batchgate-sample/transform/input/',
  outputS3Uri: 's3://batchgate-sample/transform/output/',
  contentType: 'text/csv',
  splitType: 'Line',
  s3DataType: 'S3Prefix',
  instanceType: 'ml.m5.large',
  instanceCount: 1,
  maxConcurrentTransforms: 2,
  environment: null,
  jobName: null,
};

/** Amazon SageMaker batch transform jobs (kind `sagemaker`). */
export const sageMakerModule = defineBackend({
  kind: 'sagemaker',
  graphql: backendGraphQL('SAGEMAKER', 'sageMaker', import.meta.url),
  configSchema: sageMakerConfigSchema,
  startInputSchema: sageMakerStartInputSchema,
  secretFields: AWS_SECRET_FIELDS,
  startForm: {
    title: 'SageMaker',
    legend: 'SageMaker batch transform job',
    fields: [
      textField('modelName', 'Model name', sample.modelName),
      textField('inputS3Uri', 'Input S3 URI', sample.inputS3Uri),
      textField('outputS3Uri', 'Output S3 URI', sample.outputS3Uri),
      textField('contentType', 'Content type', 'text/csv', { required: false }),
      { name: 'splitType', label: 'Split input by', type: 'select', options: ['None', 'Line', 'RecordIO', 'TFRecord'], default: 'Line' },
      textField('instanceType', 'Instance type', sample.instanceType),
      { name: 'instanceCount', label: 'Instances', type: 'number', min: 1, max: 100, default: 1 },
      { name: 'maxConcurrentTransforms', label: 'Concurrent requests per instance', type: 'number', min: 0, max: 1000, required: false },
      { name: 'environment', label: 'Container environment (JSON object)', type: 'json', expect: 'object', rows: 2, required: false },
      textField('jobName', 'Job name', undefined, { required: false, hint: 'Made up when left empty.' }),
    ],
  },
  create: createSageMakerConnector,
  startEmulator: startSageMakerEmulator,
  sampleStartInput: () => ({ ...sample }),
  fixtures: {
    sampleGraphQLInput: () => graphqlInputOf(sample),
    isStartRequest: (request) => request.headers['x-amz-target'] === 'SageMaker.CreateTransformJob',
    echoError: { kind: 'echo', status: 400, body: '{"__type":"ValidationException","Message":"{{request}}"}' },
  },
});
