import { z } from 'zod';
import { backendIdSchema, type BackendConfigBase } from '../module.js';

/** A config entry of kind `azureml`. */
export interface AzureMlConfig extends BackendConfigBase {
  kind: 'azureml';
  /** Operationalization base URL, e.g. `http://127.0.0.1:12800`. */
  url: string;
  username: string;
  /** Secret: never logged or returned. */
  password: string;
  /**
   * What the server calls the first record in `…/batch/{id}/{index}/files`: 1 by the public
   * samples (docs/backends/azureml.md, "Artifact index"). `BatchExecution.index` stays 0-based.
   * @default 1
   */
  artifactIndexBase?: 0 | 1;
  /** How long a state word this gateway does not know may last before the batch is reported FAILED, in ms. @default 600000 */
  unknownStateAfterMs?: number;
}

/** Validates one `kind: azureml` entry of the config file. */
export const azureMlConfigSchema = z.object({
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
