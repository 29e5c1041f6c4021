import type { Batch, BatchError, BatchState, MessageSeverity, Progress, StepMessage, StepResult, StepStatus } from '../../core/model.js';
import { slvBatchValueSchema, type SlvBatchResult, type SlvBatchValue, type SlvMessage, type SlvStepResult } from './wire.js';

/**
 * Pure mapping from SLV's native batch (`SLVBatchResult`) to the unified `Batch`. No I/O: what
 * only the connector knows (the operation it started, when it first saw the batch end) comes in
 * through `MapContext`.
 */

export interface MapContext {
  /** The config id of the backend. */
  backendId: string;
  /** The SLV method that started the batch, when this gateway started it. @default null */
  name?: string | null;
  /** When the connector first saw the batch terminal; SLV reports no end time. @default null */
  finishedAt?: Date | null;
}

/**
 * The unified state, per the table in docs/backends/slv.md §10:
 * `cancelled` wins; while `batchRunning`, a cancel order means CANCELLING and an unknown progress
 * (-1) means QUEUED; once stopped, `statusError` (or `status: "ERROR"`) means FAILED, else SUCCEEDED.
 */
export function slvState(native: SlvBatchResult): BatchState {
  if (native.cancelled === true) return 'CANCELLED';
  if (native.batchRunning === true) {
    if (native.cancelRequested === true) return 'CANCELLING';
    return isUnknownProgress(native.batchProgressValue) ? 'QUEUED' : 'RUNNING';
  }
  return isErrorStatus(native) ? 'FAILED' : 'SUCCEEDED';
}

/**
 * `nativeStatus`, built only from SLV's own words: `CANCELLED` (the `cancelled` flag),
 * `CANCELREQUESTED` (running with `cancelRequested`), `RUNNING` (`batchRunning`), otherwise the
 * `status` word as sent (`OK` / `ERROR`), upper-cased only if the server sent none.
 */
export function slvNativeStatus(native: SlvBatchResult): string {
  if (native.cancelled === true) return 'CANCELLED';
  if (native.batchRunning === true) return native.cancelRequested === true ? 'CANCELREQUESTED' : 'RUNNING';
  if (native.status) return native.status;
  return isErrorStatus(native) ? 'ERROR' : 'OK';
}

export function mapSlvBatch(native: SlvBatchResult, context: MapContext): Batch {
  const nativeId = String(native.batchId);
  const state = slvState(native);
  const value = parseValue(native.value);
  const steps = (value?.stepResults ?? []).map(mapStep);
  const createdAt = epochMsDate(nativeId);
  return {
    backendId: context.backendId,
    nativeId,
    name: context.name ?? null,
    state,
    nativeStatus: slvNativeStatus(native),
    progress: mapProgress(native),
    createdAt,
    // An SLV batch is running from the moment its id is issued (the start call answers it running).
    startedAt: createdAt,
    finishedAt: context.finishedAt ?? null,
    // The id gives the start; SLV reports no end time, so the connector gives when it saw the end.
    observedTimes: ['finishedAt'],
    executions: [
      {
        index: 0,
        state,
        response: { statusCode: 200, headers: null, body: native.value ?? null },
        steps,
        artifacts: [],
      },
    ],
    error: state === 'FAILED' ? mapError(native) : null,
  };
}

function mapProgress(native: SlvBatchResult): Progress {
  const raw = native.batchProgressValue;
  return {
    percent: isUnknownProgress(raw) ? null : Math.min(100, Math.max(0, raw as number)),
    completedItems: null,
    totalItems: null,
    failedItems: null,
    message: native.batchProgressMessage ?? null,
  };
}

function mapError(native: SlvBatchResult): BatchError {
  const code = native.errorCode === undefined || native.errorCode === null || String(native.errorCode) === '0' ? null : String(native.errorCode);
  const message = native.message ?? native.errorCodeLabel ?? native.batchProgressMessage ?? 'The SLV batch ended in error';
  return { code, message };
}

/**
 * One step with all its messages. `messages` is the union of the three severity lists, so each
 * message takes its severity from the list it also appears in, and appears once. The order is
 * `messages`' own; anything only found in a severity list follows, and anything only found in
 * `messages` gets a severity from its `statusText`/`status`.
 */
export function mapStep(step: SlvStepResult): StepResult {
  const pools: Array<[MessageSeverity, SlvMessage[]]> = [
    ['INFO', [...(step.infoMessages ?? [])]],
    ['WARNING', [...(step.warningMessages ?? [])]],
    ['ERROR', [...(step.errorMessages ?? [])]],
  ];
  const takeSeverity = (message: SlvMessage): MessageSeverity | null => {
    for (const [severity, pool] of pools) {
      const at = pool.findIndex((candidate) => sameMessage(candidate, message));
      if (at >= 0) {
        pool.splice(at, 1);
        return severity;
      }
    }
    return null;
  };
  const messages: StepMessage[] = (step.messages ?? []).map((message) =>
    mapMessage(message, takeSeverity(message) ?? severityOf(message)),
  );
  for (const [severity, pool] of pools) messages.push(...pool.map((message) => mapMessage(message, severity)));

  const countOf = (severity: MessageSeverity) => messages.filter((message) => message.severity === severity).length;
  const infoCount = step.infoMessagesCount ?? countOf('INFO');
  const warningCount = step.warningMessagesCount ?? countOf('WARNING');
  const errorCount = step.errorMessagesCount ?? countOf('ERROR');
  return {
    name: step.stepName ?? step.stepLabel ?? step.label ?? 'step',
    label: step.stepLabel ?? step.label ?? null,
    status: stepStatus(step.status, warningCount, errorCount),
    messages,
    infoCount,
    warningCount,
    errorCount,
  };
}

function stepStatus(status: number | null | undefined, warnings: number, errors: number): StepStatus {
  if (errors > 0) return 'ERROR';
  if (warnings > 0) return 'WARNING';
  // A non-zero status without any message still says the step did not go well.
  return status === undefined || status === null || status === 0 ? 'OK' : 'ERROR';
}

function mapMessage(message: SlvMessage, severity: MessageSeverity): StepMessage {
  return {
    severity,
    status: message.status ?? null,
    statusText: message.statusText ?? null,
    text: message.text ?? '',
  };
}

function severityOf(message: SlvMessage): MessageSeverity {
  const word = (message.statusText ?? '').toUpperCase();
  if (word.startsWith('WARN')) return 'WARNING';
  if (word.startsWith('ERR') || word.startsWith('FAIL')) return 'ERROR';
  if (word === 'OK' || word === 'INFO') return 'INFO';
  return message.status === undefined || message.status === null || message.status === 0 ? 'INFO' : 'ERROR';
}

const sameMessage = (a: SlvMessage, b: SlvMessage): boolean =>
  (a.text ?? null) === (b.text ?? null) && (a.status ?? null) === (b.status ?? null) && (a.statusText ?? null) === (b.statusText ?? null);

/** `value` is only steps-bearing for commissioning/import batches; anything else maps to no steps. */
function parseValue(value: unknown): SlvBatchValue | null {
  const parsed = slvBatchValueSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

const isUnknownProgress = (value: number | null | undefined): boolean => value === undefined || value === null || value < 0;

function isErrorStatus(native: SlvBatchResult): boolean {
  if (native.statusError === true) return true;
  if (native.statusOk === true) return false;
  if (native.status) return native.status.toUpperCase() === 'ERROR';
  return native.errorCode !== undefined && native.errorCode !== null && String(native.errorCode) !== '0';
}

/** Batch ids look like `System.currentTimeMillis()` at creation; only plausible ones become dates. */
const EPOCH_MS_MIN = Date.UTC(2000, 0, 1);
const EPOCH_MS_MAX = Date.UTC(2200, 0, 1);
function epochMsDate(batchId: string): Date | null {
  if (!/^\d{13}$/.test(batchId)) return null;
  const ms = Number(batchId);
  return ms >= EPOCH_MS_MIN && ms < EPOCH_MS_MAX ? new Date(ms) : null;
}
