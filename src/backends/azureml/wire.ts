import { z } from 'zod';

/**
 * ML Server (O16N) wire shapes, validated once where bodies enter the connector. Sources disagree on
 * spellings (see docs/backends/azureml.md), so every schema accepts each form seen or inferred there;
 * unknown extra fields pass through untouched.
 */

/** `expires_on` is a number in the docs' example and a string in the swagger: accept both. */
const epochSeconds = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]);

/** `POST /login` and `POST /login/refreshToken` answer (AccessTokenResponse). */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  token_type: z.string().nullish(),
  expires_on: epochSeconds.nullish(),
  expires_in: epochSeconds.nullish(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/**
 * `POST …/batch` answer. The swagger says `batchExecutionId`, the Python SDK reads `BatchExecutionId`;
 * any casing of the key is accepted.
 */
export const startResponseSchema = z
  .record(z.string(), z.unknown())
  .transform((body, ctx) => {
    const key = Object.keys(body).find((name) => name.toLowerCase() === 'batchexecutionid');
    const id = key === undefined ? undefined : body[key];
    if (typeof id !== 'string' || id === '') {
      ctx.addIssue({ code: 'custom', message: 'expected a batchExecutionId string' });
      return z.NEVER;
    }
    return { batchExecutionId: id };
  });

/** One item's result inside a batch: the synchronous WebServiceResult shape. */
const itemResultSchema = z.looseObject({
  success: z.boolean(),
  errorMessage: z.string().nullish(),
  consoleOutput: z.string().nullish(),
  changedFiles: z.array(z.string()).nullish(),
  outputParameters: z.record(z.string(), z.unknown()).nullish(),
  outputFiles: z.record(z.string(), z.unknown()).nullish(),
});
export type ItemResult = z.infer<typeof itemResultSchema>;

/** `GET …/batch/{id}` answer (BatchWebServiceResult). `state` is kept as the backend spelled it. */
export const batchResultSchema = z.looseObject({
  state: z.string().min(1),
  completedItemCount: z.number().int().nonnegative(),
  totalItemCount: z.number().int().nonnegative(),
  parallelCount: z.number().int().nullish(),
  // Not-yet-done positions may come as null if a server pads the array; the mapper tolerates it.
  batchExecutionResults: z.array(itemResultSchema.nullable()).nullish(),
});
export type BatchResult = z.infer<typeof batchResultSchema>;

/** `GET /services` answer: only name and version matter to the connector. */
export const servicesSchema = z.array(z.looseObject({ name: z.string().min(1), version: z.string().min(1) }));

/** Lists of names or ids (`GET …/batch`, `GET …/files`); the SDK turns `null` into `[]`. */
export const stringListSchema = z
  .array(z.string())
  .nullable()
  .transform((list) => list ?? []);

/** The swagger `Error` definition: `{code, message, fields}`. */
export const errorBodySchema = z.looseObject({
  code: z.union([z.number(), z.string()]).nullish(),
  message: z.string().nullish(),
  fields: z.unknown().optional(),
});

/** The start input of kind `azureml`: one batch execution of a published web service. */
export interface AzureMlStartInput {
  kind: 'azureml';
  service: string;
  version: string;
  /** One execution per record (JSON objects). */
  records: unknown[];
  parallelCount: number;
}

/** Validates this kind's `StartBatchInput.azureMl` at the GraphQL edge. */
export const azureMlStartInputSchema = z
  .object({
    service: z.string().min(1).max(256),
    version: z.string().min(1).max(64),
    records: z.array(z.record(z.string(), z.unknown()), { message: 'expected a list of JSON objects' }).min(1).max(100_000),
    parallelCount: z.number().int().min(1).max(1000).nullish(),
  })
  .transform(
    ({ service, version, records, parallelCount }): AzureMlStartInput => ({ kind: 'azureml', service, version, records, parallelCount: parallelCount ?? 10 }),
  );
