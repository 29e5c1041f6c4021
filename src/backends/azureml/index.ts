import { z } from 'zod';
import { backendIdSchema, type BackendModule } from '../../core/module.js';
import { createAzureMlConnector, type AzureMlConfig } from './connector.js';
import { startAzureMlEmulator } from './emulator/index.js';

export type { AzureMlConfig } from './connector.js';
export { createAzureMlConnector } from './connector.js';
export { startAzureMlEmulator } from './emulator/index.js';

const configSchema = z.object({
  id: backendIdSchema,
  kind: z.literal('azureml'),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL (the ML Server operationalization base)' }),
  username: z.string().min(1, { error: 'expected a non-empty username' }),
  password: z.string().min(1, { error: 'expected a non-empty password' }),
  /** What the server calls the first record in `…/batch/{id}/{index}/files` (docs/backends/azureml.md). */
  artifactIndexBase: z.union([z.literal(0), z.literal(1)]).default(1),
  /** How long an unknown state word may last before the batch is reported FAILED, in ms. */
  unknownStateAfterMs: z.number().int().min(0).default(600_000),
});

/** Microsoft Machine Learning Server (operationalization) batch web-service executions. */
export const azureMlModule: BackendModule<AzureMlConfig> = {
  kind: 'azureml',
  graphqlKind: 'AZURE_ML',
  configSchema,
  secretFields: ['password'],
  create: (config, context) => createAzureMlConnector(config, context),
  startEmulator: (options) => startAzureMlEmulator(options),
  sampleStartInput: () => ({
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
  }),
};
