import type { BackendModule } from '../../core/module.js';
import { awsMlConfigSchema, type AwsMlConfig } from './config.js';
import { createAwsMlConnector } from './connector.js';
import { startAwsMlEmulator } from './emulator/index.js';

export type { AwsMlConfig } from './config.js';
export type { AwsMlBackend } from './connector.js';
export type { AwsMlEmulatorHandle } from './emulator/index.js';

/** Amazon Machine Learning batch predictions (kind `awsml`). */
export const awsMlModule: BackendModule<AwsMlConfig> = {
  kind: 'awsml',
  graphqlKind: 'AWS_ML',
  configSchema: awsMlConfigSchema,
  secretFields: ['secretAccessKey', 'sessionToken'],
  create: (config, context) => createAwsMlConnector(config, context),
  startEmulator: (options) => startAwsMlEmulator(options),
  sampleStartInput: () => ({
    kind: 'awsml',
    mlModelId: 'ml-sample-model',
    dataSourceId: 'ds-sample',
    outputUri: 's3://batchgate-sample-output/predictions/',
    name: 'Sample batch prediction',
    batchPredictionId: null,
  }),
};
