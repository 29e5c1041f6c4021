/** The shapes the dashboard's documents select (a subset of the schema). */

export type BatchState = 'QUEUED' | 'RUNNING' | 'CANCELLING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
/** A `BackendKind` value; each backend brings its own. */
type BackendKind = string;

export const BATCH_STATES: readonly BatchState[] = ['QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface BackendView {
  id: string;
  kind: BackendKind;
  url: string;
  healthy: boolean;
  capabilities: { list: boolean; cancel: boolean };
}

export interface ProgressView {
  percent: number | null;
  completedItems: number | null;
  totalItems: number | null;
  failedItems: number | null;
  message: string | null;
}

export interface BatchSummary {
  id: string;
  nativeId: string;
  name: string | null;
  state: BatchState;
  nativeStatus: string;
  backend: { id: string; kind: BackendKind; capabilities: { cancel: boolean } };
  progress: ProgressView;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Times the backend does not report, given as when the gateway saw them. */
  observedTimes?: Array<'CREATED' | 'STARTED' | 'FINISHED'>;
  error: { code: string | null; message: string } | null;
}

interface StepMessageView {
  severity: 'INFO' | 'WARNING' | 'ERROR';
  statusText: string | null;
  text: string;
}

export interface StepView {
  name: string;
  label: string | null;
  status: 'OK' | 'WARNING' | 'ERROR';
  messages: StepMessageView[];
}

export interface ExecutionView {
  index: number;
  state: BatchState;
  response: { statusCode: number } | null;
  steps: StepView[];
  artifacts: Array<{ name: string; url: string | null }>;
}

export interface ExecutionPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: ExecutionView }>;
}

export interface BatchDetail extends BatchSummary {
  executions: ExecutionPage;
}

