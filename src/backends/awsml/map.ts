import { z } from 'zod';
import type { Artifact, Batch, BatchState, Progress, StepResult } from '../../core/model.js';
import { UnreachableCaseError } from '../../core/unreachable.js';

/**
 * Pure mapping from Amazon ML batch-prediction records (GetBatchPrediction / DescribeBatchPredictions
 * results) to the unified model. No I/O here: `client.ts` validates bodies with the schemas below and
 * `connector.ts` calls these functions.
 */

/** The statuses Amazon ML documents for a batch prediction. */
const AWS_ML_STATUSES = ['PENDING', 'INPROGRESS', 'COMPLETED', 'FAILED', 'DELETED'] as const;
export type AwsMlStatus = (typeof AWS_ML_STATUSES)[number];

// Timestamps arrive as epoch seconds (possibly fractional); ISO strings are accepted too, since a proxy
// or an older SDK-based fake may re-serialise them.
const timestamp = z.union([z.number(), z.string()]).nullish();
const count = z.number().nullish();
const text = z.string().nullish();

/**
 * One batch-prediction record. Loose on purpose: unknown fields are kept, so `response.body` carries
 * every field the backend sent (the seed's full record and anything newer).
 */
export const batchPredictionSchema = z.looseObject({
  BatchPredictionId: z.string().min(1),
  Status: z.string().refine((value) => parseStatus(value) !== null, { message: 'expected a documented batch prediction status' }),
  MLModelId: text,
  BatchPredictionDataSourceId: text,
  InputDataLocationS3: text,
  CreatedByIamUser: text,
  CreatedAt: timestamp,
  LastUpdatedAt: timestamp,
  Name: text,
  OutputUri: text,
  LogUri: text,
  Message: text,
  ComputeTime: count,
  FinishedAt: timestamp,
  StartedAt: timestamp,
  TotalRecordCount: count,
  InvalidRecordCount: count,
});
export type BatchPredictionRecord = z.infer<typeof batchPredictionSchema>;

const STATE_BY_STATUS: Record<AwsMlStatus, BatchState> = {
  PENDING: 'QUEUED',
  INPROGRESS: 'RUNNING',
  COMPLETED: 'SUCCEEDED',
  FAILED: 'FAILED',
  DELETED: 'CANCELLED',
};

/** The native status for a unified state, `null` when Amazon ML has no such status (CANCELLING). */
export function statusForState(state: BatchState): AwsMlStatus | null {
  switch (state) {
    case 'QUEUED':
      return 'PENDING';
    case 'RUNNING':
      return 'INPROGRESS';
    case 'SUCCEEDED':
      return 'COMPLETED';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELLED':
      return 'DELETED';
    case 'CANCELLING':
      return null;
    default: {
      throw new UnreachableCaseError(state, 'state');
    }
  }
}

/** Normalises a status word (case-insensitively); `null` when it is not one Amazon ML documents. */
export function parseStatus(status: string): AwsMlStatus | null {
  const upper = status.trim().toUpperCase();
  return (AWS_ML_STATUSES as readonly string[]).includes(upper) ? (upper as AwsMlStatus) : null;
}

/** Epoch seconds (fractional allowed), a numeric string or an ISO string → Date; anything else → null. */
export function toDate(value: number | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const numeric = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value) ? Number(value) : null;
  const date = numeric !== null ? new Date(numeric * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export interface MapOptions {
  /** The config id of the backend (`Batch.backendId`). */
  backendId: string;
  /**
   * Where the record came from. Describe results never carry `LogUri`, so their execution's
   * artifacts are left `undefined` (the gateway asks `artifacts()`, which does a Get).
   */
  source: 'get' | 'describe';
}

/** Thrown for a record whose status is not one Amazon ML documents (the client turns it into BACKEND_ERROR). */
class UnknownStatusError extends Error {
  constructor(readonly status: string) {
    super(`unknown batch prediction status "${status}"`);
    this.name = 'UnknownStatusError';
  }
}

/** One batch-prediction record → a unified `Batch` with one execution (index 0) whose body is the record. */
export function mapBatchPrediction(record: BatchPredictionRecord, options: MapOptions): Batch {
  const status = parseStatus(record.Status);
  if (!status) throw new UnknownStatusError(record.Status);
  const state = STATE_BY_STATUS[status];
  const failed = status === 'FAILED';
  return {
    backendId: options.backendId,
    nativeId: record.BatchPredictionId,
    name: record.Name ?? null,
    state,
    nativeStatus: record.Status,
    progress: mapProgress(record, status),
    createdAt: toDate(record.CreatedAt),
    startedAt: toDate(record.StartedAt),
    finishedAt: toDate(record.FinishedAt),
    executions: [
      {
        index: 0,
        state,
        response: { statusCode: failed ? 500 : 200, headers: null, body: record },
        steps: mapSteps(record, status),
        ...(options.source === 'get' ? { artifacts: mapArtifacts(record) } : {}),
      },
    ],
    error: failed ? { code: null, message: record.Message || 'The batch prediction failed' } : null,
  };
}

function mapProgress(record: BatchPredictionRecord, status: AwsMlStatus): Progress {
  const total = record.TotalRecordCount ?? null;
  const done = status === 'COMPLETED';
  return {
    // Amazon ML reports no percentage while running: unknown until it completes.
    percent: done ? 100 : null,
    completedItems: done ? total : null,
    totalItems: total,
    failedItems: record.InvalidRecordCount ?? null,
    message: record.Message ?? null,
  };
}

/**
 * Amazon ML has no steps of its own. Once a prediction has ended, one summary step says how it went,
 * so invalid records show as a warning and a failure as an error (the dashboard reads steps).
 */
function mapSteps(record: BatchPredictionRecord, status: AwsMlStatus): StepResult[] {
  if (status !== 'COMPLETED' && status !== 'FAILED') return [];
  const invalid = record.InvalidRecordCount ?? 0;
  const step: StepResult = {
    name: 'BatchPrediction',
    label: record.Name ?? null,
    status: status === 'FAILED' ? 'ERROR' : invalid > 0 ? 'WARNING' : 'OK',
    messages: [],
    infoCount: 0,
    warningCount: 0,
    errorCount: 0,
  };
  if (status === 'FAILED') {
    step.messages.push({ severity: 'ERROR', status: null, statusText: record.Status, text: record.Message || 'The batch prediction failed' });
    step.errorCount = 1;
  } else if (invalid > 0) {
    const total = record.TotalRecordCount;
    const text = total != null ? `${invalid} of ${total} records were invalid` : `${invalid} records were invalid`;
    step.messages.push({ severity: 'WARNING', status: null, statusText: null, text });
    step.warningCount = 1;
  } else if (record.Message) {
    step.messages.push({ severity: 'INFO', status: null, statusText: null, text: record.Message });
    step.infoCount = 1;
  }
  return [step];
}

/** The log (a presigned URL, so it is linked directly, not proxied). The S3 output is not servable: omitted. */
export function mapArtifacts(record: BatchPredictionRecord): Artifact[] {
  return record.LogUri ? [{ name: 'log', externalUrl: record.LogUri }] : [];
}
