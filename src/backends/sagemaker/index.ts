import type { z } from 'zod';
import type { StartInput } from '../../core/model.js';
import type { BackendConfigBase, BackendModule } from '../../core/module.js';
import { SAGEMAKER_KIND, sageMakerConfigSchema, type SageMakerConfig } from './config.js';
import { createSageMakerConnector } from './connector.js';
import { startSageMakerEmulator } from './emulator/index.js';
import type { SageMakerStartInput } from './wire.js';

export type { SageMakerConfig } from './config.js';
export type { SageMakerEmulatorHandle } from './emulator/index.js';
export { sageMakerStartInputSchema, type SageMakerStartInput } from './wire.js';

/** The config as `BackendModule` sees it: `kind` widened to the closed `BackendKind` union. */
export type SageMakerModuleConfig = Omit<SageMakerConfig, 'kind'> & BackendConfigBase;

/** The GraphQL enum value of this kind; the schema's `BackendKind` does not list it yet. */
const GRAPHQL_KIND = 'SAGEMAKER' as unknown as BackendModule['graphqlKind'];

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
  idempotencyKey: null,
};

/** Amazon SageMaker batch transform jobs (kind `sagemaker`). */
export const sageMakerModule: BackendModule<SageMakerModuleConfig> = {
  kind: SAGEMAKER_KIND,
  graphqlKind: GRAPHQL_KIND,
  // The config's `kind` literal is 'sagemaker', which the closed BackendKind union does not hold.
  configSchema: sageMakerConfigSchema as unknown as z.ZodType<SageMakerModuleConfig>,
  secretFields: ['secretAccessKey', 'sessionToken'],
  create: (config, context) => createSageMakerConnector(config, context),
  startEmulator: (options) => startSageMakerEmulator(options),
  // StartInput is a closed union without this kind yet.
  sampleStartInput: () => ({ ...sample }) as unknown as StartInput,
};
