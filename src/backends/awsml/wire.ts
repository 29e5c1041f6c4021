import { z } from 'zod';
import { orNull } from '../module.js';

/** The start input of kind `awsml`: one `CreateBatchPrediction`. */
export interface AwsMlStartInput {
  kind: 'awsml';
  mlModelId: string;
  dataSourceId: string;
  /** `s3://bucket/prefix` the predictions are written under. */
  outputUri: string;
  name: string | null;
  /** Caller-chosen id; made up when absent. */
  batchPredictionId: string | null;
}

/** Validates this kind's `StartBatchInput.awsMl` at the GraphQL edge. */
export const awsMlStartInputSchema = z
  .object({
    mlModelId: z.string().min(1).max(64),
    dataSourceId: z.string().min(1).max(64),
    outputUri: z.string().regex(/^s3:\/\/[^/]+/, { message: 'expected an s3:// URI' }).max(2048),
    name: orNull(z.string().max(1024)),
    batchPredictionId: orNull(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, { message: 'expected 1 to 64 of [a-zA-Z0-9_.-]' })),
  })
  .transform((value): AwsMlStartInput => ({ kind: 'awsml', ...value }));
