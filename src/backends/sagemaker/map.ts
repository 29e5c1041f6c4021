import type { Artifact, Batch, BatchState, Progress, StepResult } from '../../core/model.js';
import type { TransformJob, TransformJobStatus, TransformJobSummary } from './wire.js';

/**
 * Pure mapping from SageMaker transform jobs (DescribeTransformJob answers and ListTransformJobs
 * summaries) to the unified model. No I/O: `client.ts` validates with `wire.ts`, `connector.ts`
 * calls these.
 */

/** Each status's state; `InProgress` is QUEUED or RUNNING, see `stateOf`. */
const STATE_BY_STATUS: Record<TransformJobStatus, BatchState> = {
  InProgress: 'RUNNING',
  Completed: 'SUCCEEDED',
  Failed: 'FAILED',
  Stopping: 'CANCELLING',
  Stopped: 'CANCELLED',
};

/**
 * `InProgress` covers both waiting for instances and transforming. SageMaker sets
 * `TransformStartTime` once the instances run the container, so a job without it is still QUEUED.
 */
const stateOf = (status: TransformJobStatus, started: boolean): BatchState => (status === 'InProgress' && !started ? 'QUEUED' : STATE_BY_STATUS[status]);

const STATUS_BY_STATE: Record<BatchState, TransformJobStatus> = {
  QUEUED: 'InProgress',
  RUNNING: 'InProgress',
  CANCELLING: 'Stopping',
  SUCCEEDED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Stopped',
};

/** The native status of a unified state (QUEUED and RUNNING are both InProgress). */
export const statusForState = (state: BatchState): TransformJobStatus => STATUS_BY_STATE[state];

/** A Date, epoch seconds (fractional allowed) or an ISO string → Date; anything else → null. */
export function toDate(value: Date | number | string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : new Date(/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** One described job → a `Batch` with one execution (index 0) whose body is the whole description. */
export function mapTransformJob(job: TransformJob, backendId: string): Batch {
  const state = stateOf(job.TransformJobStatus, toDate(job.TransformStartTime) !== null);
  return {
    ...common(job, backendId, state),
    startedAt: toDate(job.TransformStartTime),
    executions: [
      {
        index: 0,
        state,
        response: { statusCode: state === 'FAILED' ? 500 : 200, headers: null, body: stripMetadata(job) },
        steps: mapSteps(job.TransformJobStatus, job.FailureReason, job.TransformJobName),
        artifacts: mapArtifacts(job),
      },
    ],
  };
}

/**
 * One list summary → a `Batch`. A summary has no start time, so an InProgress one reads RUNNING
 * here; the connector describes in-progress jobs to tell QUEUED from RUNNING. Artifacts are left
 * to `BatchBackend.artifacts` (a summary names no S3 locations).
 */
export function mapSummary(summary: TransformJobSummary, backendId: string): Batch {
  const state = stateOf(summary.TransformJobStatus, true);
  return {
    ...common(summary, backendId, state),
    startedAt: null,
    executions: [
      {
        index: 0,
        state,
        response: { statusCode: state === 'FAILED' ? 500 : 200, headers: null, body: stripMetadata(summary) },
        steps: mapSteps(summary.TransformJobStatus, summary.FailureReason, summary.TransformJobName),
      },
    ],
  };
}

function common(job: TransformJob | TransformJobSummary, backendId: string, state: BatchState): Omit<Batch, 'startedAt' | 'executions'> {
  const failed = job.TransformJobStatus === 'Failed';
  return {
    backendId,
    nativeId: job.TransformJobName,
    name: job.TransformJobName,
    state,
    nativeStatus: job.TransformJobStatus,
    progress: mapProgress(job),
    createdAt: toDate(job.CreationTime),
    finishedAt: toDate(job.TransformEndTime),
    error: failed ? { code: null, message: job.FailureReason || 'The transform job failed' } : null,
  };
}

/** SageMaker reports no progress of a transform job: unknown until it completes. */
function mapProgress(job: TransformJob | TransformJobSummary): Progress {
  return {
    percent: job.TransformJobStatus === 'Completed' ? 100 : null,
    completedItems: null,
    totalItems: null,
    failedItems: null,
    message: job.FailureReason ?? null,
  };
}

/** One summary step once the job has ended, so the dashboard shows a failure or a stop. */
function mapSteps(status: TransformJobStatus, reason: string | null | undefined, name: string): StepResult[] {
  if (status === 'InProgress' || status === 'Stopping') return [];
  const step: StepResult = {
    name: 'TransformJob',
    label: name,
    status: status === 'Failed' ? 'ERROR' : status === 'Stopped' ? 'WARNING' : 'OK',
    messages: [],
    infoCount: 0,
    warningCount: 0,
    errorCount: 0,
  };
  if (status === 'Failed') {
    step.messages.push({ severity: 'ERROR', status: null, statusText: status, text: reason || 'The transform job failed' });
    step.errorCount = 1;
  } else if (status === 'Stopped') {
    step.messages.push({ severity: 'WARNING', status: null, statusText: status, text: 'The transform job was stopped before it completed' });
    step.warningCount = 1;
  }
  return [step];
}

/**
 * The job's S3 input and output locations, linked as they are (`s3://…`): SageMaker writes one
 * `.out` object per input object under the output path, which the gateway cannot stream itself.
 */
export function mapArtifacts(job: TransformJob): Artifact[] {
  const artifacts: Artifact[] = [];
  const input = job.TransformInput?.DataSource?.S3DataSource?.S3Uri;
  const output = job.TransformOutput?.S3OutputPath;
  if (input) artifacts.push({ name: 'input', externalUrl: input });
  if (output) artifacts.push({ name: 'output', externalUrl: output });
  return artifacts;
}

/** The SDK's `$metadata` (request id, attempts) is transport detail, not part of the job. */
function stripMetadata<T extends object>(record: T): T {
  const { $metadata: _metadata, ...rest } = record as T & { $metadata?: unknown };
  return rest as T;
}
