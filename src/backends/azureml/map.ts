import type { Batch, BatchExecution, BatchState, Progress } from '../../core/model.js';
import type { BatchResult, ItemResult } from './wire.js';

/**
 * Pure translation of ML Server batch answers into the unified model. No I/O: the connector passes
 * in what only it knows (ids, and when it first saw the batch in each phase).
 */

/** The parts of a native id `service/version/executionId`. */
export interface AzureMlBatchRef {
  service: string;
  version: string;
  executionId: string;
}

/** Joins the parts into the contract's native id. */
export const formatNativeId = (ref: AzureMlBatchRef): string => `${ref.service}/${ref.version}/${ref.executionId}`;

/**
 * Splits `service/version/executionId`; `null` when it is not three non-empty segments. Service names
 * and versions never contain '/' on ML Server (they are URL path segments), so the split is exact.
 */
export function parseNativeId(nativeId: string): AzureMlBatchRef | null {
  const parts = nativeId.split('/');
  // "." and ".." would be resolved as path steps once in a URL, leaving the API's path.
  if (parts.length !== 3 || parts.some((part) => part.trim() === '' || part === '.' || part === '..')) return null;
  const [service, version, executionId] = parts as [string, string, string];
  return { service, version, executionId };
}

/**
 * ML Server's `state` words, compared without case, spaces, `_` or `-`: the swagger's enum
 * (`pending`, `ready`, `inProgress`, `complete`), the PascalCase a real 9.2 server printed
 * (`Pending`, `InProgress`, `Complete`, `Failed`), and the failure and cancel variants other
 * versions or proxies may send. See docs/backends/azureml.md, "States".
 */
const STATE_WORDS: Record<string, BatchState> = {
  pending: 'QUEUED',
  ready: 'QUEUED',
  notstarted: 'QUEUED',
  queued: 'QUEUED',
  scheduled: 'QUEUED',
  submitted: 'QUEUED',
  inprogress: 'RUNNING',
  running: 'RUNNING',
  started: 'RUNNING',
  processing: 'RUNNING',
  complete: 'SUCCEEDED',
  completed: 'SUCCEEDED',
  succeeded: 'SUCCEEDED',
  success: 'SUCCEEDED',
  failed: 'FAILED',
  failure: 'FAILED',
  error: 'FAILED',
  faulted: 'FAILED',
  aborted: 'FAILED',
  canceling: 'CANCELLING',
  cancelling: 'CANCELLING',
  cancelrequested: 'CANCELLING',
  canceled: 'CANCELLED',
  cancelled: 'CANCELLED',
};

/** The unified state of a known word; `null` for a word this gateway does not know. */
export function knownState(state: string): BatchState | null {
  return STATE_WORDS[state.toLowerCase().replace(/[\s_-]/g, '')] ?? null;
}

/**
 * A state word → unified state. An unknown word counts as RUNNING (never finished on a guess);
 * the connector bounds how long that lasts (`unknownStateAfterMs`).
 */
export function mapState(state: string): BatchState {
  return knownState(state) ?? 'RUNNING';
}

/**
 * When the connector first saw the batch queued, running and finished. ML Server reports no
 * timestamps, so these are observations, not the server's own times.
 */
export interface ObservedTimes {
  createdAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The body of one execution's `response` envelope: the item's result fields, as the SDK exposes them. */
function executionBody(item: ItemResult): Record<string, unknown> {
  return {
    outputParameters: item.outputParameters ?? {},
    consoleOutput: item.consoleOutput ?? '',
    errorMessage: item.errorMessage ?? '',
    changedFiles: item.changedFiles ?? [],
    outputFiles: item.outputFiles ?? {},
  };
}

function mapExecution(item: ItemResult | null, index: number): BatchExecution {
  if (item === null) return { index, state: 'RUNNING', response: null, steps: [] };
  return {
    index,
    state: item.success ? 'SUCCEEDED' : 'FAILED',
    response: { statusCode: item.success ? 200 : 500, headers: null, body: executionBody(item) },
    steps: [],
    // Left undefined on purpose: file names come from `…/{index}/files`, asked lazily.
  };
}

function mapProgress(result: BatchResult, failedItems: number): Progress {
  const total = result.totalItemCount;
  const completed = Math.min(result.completedItemCount, total);
  return {
    percent: total > 0 ? (completed / total) * 100 : null,
    completedItems: completed,
    totalItems: total,
    failedItems,
    message: failedItems > 0 ? `${failedItems} of ${total} items failed` : null,
  };
}

/** One `GET …/batch/{id}` answer → the unified batch. */
export function mapBatch(backendId: string, ref: AzureMlBatchRef, result: BatchResult, observed: ObservedTimes): Batch {
  const items = result.batchExecutionResults ?? [];
  const executions = items.map(mapExecution);
  const failed = items.filter((item) => item !== null && !item.success);
  const state = mapState(result.state);
  const firstError = failed.find((item) => item?.errorMessage)?.errorMessage;
  return {
    backendId,
    nativeId: formatNativeId(ref),
    name: `${ref.service} ${ref.version}`,
    state,
    nativeStatus: result.state,
    progress: mapProgress(result, failed.length),
    createdAt: observed.createdAt,
    startedAt: observed.startedAt,
    finishedAt: observed.finishedAt,
    // ML Server keeps no timestamps: all three are when the connector saw each phase.
    observedTimes: ['createdAt', 'startedAt', 'finishedAt'],
    executions,
    error: state === 'FAILED' ? { code: result.state, message: firstError ?? 'The batch execution failed' } : null,
  };
}
