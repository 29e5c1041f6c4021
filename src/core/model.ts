/**
 * The unified domain model. Every backend's `map.ts` turns native records into these types, and the
 * GraphQL layer only reads them (codegen `mappers` point here).
 */

/** A backend kind as spelled in config files; each registered backend folder brings one. */
export type BackendKind = string;

export type BatchState = 'QUEUED' | 'RUNNING' | 'CANCELLING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

const TERMINAL_STATES: ReadonlySet<BatchState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
export const isTerminal = (state: BatchState): boolean => TERMINAL_STATES.has(state);

export type StepStatus = 'OK' | 'WARNING' | 'ERROR';
export type MessageSeverity = 'INFO' | 'WARNING' | 'ERROR';

export interface Progress {
  /** 0..100, null while the backend does not know. */
  percent: number | null;
  completedItems: number | null;
  totalItems: number | null;
  failedItems: number | null;
  message: string | null;
}

export interface StepMessage {
  severity: MessageSeverity;
  status: number | null;
  statusText: string | null;
  text: string;
}

export interface StepResult {
  name: string;
  label: string | null;
  status: StepStatus;
  messages: StepMessage[];
  infoCount: number;
  warningCount: number;
  errorCount: number;
}

/** The backend's answer for one unit of work, as an HTTP-like envelope (seed 002). */
interface ExecutionResponse {
  statusCode: number;
  headers: Record<string, string> | null;
  body: unknown;
}

export interface Artifact {
  name: string;
  /**
   * Where a client downloads it. `null` here means "through the gateway": the GraphQL layer builds
   * the gateway link. A backend sets it only when the artifact lives elsewhere (e.g. a presigned URL).
   */
  externalUrl: string | null;
}

export interface BatchExecution {
  index: number;
  state: BatchState;
  response: ExecutionResponse | null;
  steps: StepResult[];
  /** Known artifacts; `undefined` when the backend must be asked (`BatchBackend.artifacts`). */
  artifacts?: Artifact[];
}

export interface BatchError {
  code: string | null;
  message: string;
}

export interface Batch {
  /** The config id of the backend this batch lives on. */
  backendId: string;
  /** The backend's own identifier, as its API spells it. */
  nativeId: string;
  name: string | null;
  state: BatchState;
  /** The backend's own status word, untranslated. */
  nativeStatus: string;
  progress: Progress;
  createdAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Times the backend does not report, which the gateway gives as when it first saw them. @default [] */
  observedTimes?: Array<'createdAt' | 'startedAt' | 'finishedAt'>;
  executions: BatchExecution[];
  /**
   * Set on a summary read (`BatchBackend.get` with `summary`) whose executions were left out:
   * `executions` is then empty, and whoever needs them reads the batch again, no older than `readAt`
   * (epoch ms).
   */
  executionsOmitted?: { readAt: number };
  error: BatchError | null;
}

/**
 * A start input, already validated at the GraphQL edge by its backend's own schema. Each backend
 * folder defines the full shape of its kind's input; the gateway only routes it by `kind`.
 */
export interface StartInput {
  readonly kind: BackendKind;
}

export const emptyProgress = (): Progress => ({
  percent: null,
  completedItems: null,
  totalItems: null,
  failedItems: null,
  message: null,
});

/** All steps of all executions, in order (the contract's `Batch.steps`). */
export const batchSteps = (batch: Batch): StepResult[] => batch.executions.flatMap((e) => e.steps);
