import type { Readable } from 'node:stream';
import type { Artifact, BackendKind, Batch, BatchState, StartInput } from './model.js';

/** A page of batches from `BatchBackend.list`. */
export interface BatchPage {
  items: Batch[];
  /** Opaque to everyone but the backend that made it; `null` when there is no next page. */
  nextCursor: string | null;
}

export interface ListQuery {
  /** Only batches in these states; absent = all. Backends filter upstream where they can. */
  states?: readonly BatchState[];
  /** Page size the caller wants (1..100). */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** A file streamed from the backend, auth already applied by the backend's client. */
export interface ArtifactStream {
  body: Readable;
  contentType: string | null;
  contentLength: number | null;
}

/** What a backend can and cannot do natively, so the gateway fills the gaps from its own records. */
export interface BackendCapabilities {
  /** The backend can list its batches. When false, the gateway lists the ones it started. */
  list: boolean;
  /** The backend can stop a running batch. When false, `cancel` answers UNSUPPORTED. */
  cancel: boolean;
  /** A cancelled batch disappears upstream (404 afterwards); the gateway keeps answering for it. */
  forgetsCancelled: boolean;
  /** The backend can name a batch after it started (`rename`); otherwise `renameBatch` answers UNSUPPORTED. @default false */
  rename?: boolean;
}

/**
 * The seam between the gateway and one configured backend. Implementations live in
 * `src/backends/<kind>/connector.ts`, speak the backend's real protocol through their `client.ts`,
 * and throw `GatewayError`s (codes from `errors.ts`, `backend` set to `id`).
 */
export interface BatchBackend<Input extends StartInput = StartInput> {
  readonly id: string;
  readonly kind: BackendKind;
  /** The backend's base URL, credentials stripped, safe to show. */
  readonly url: string;
  readonly capabilities: BackendCapabilities;

  /**
   * One batch by native id; `BATCH_NOT_FOUND` when the backend does not know it. With `summary`
   * the caller needs state and progress only (a live poll nobody reads executions from): a backend
   * that can read those cheaper may leave executions out, and then sets `executionsOmitted`.
   */
  get(nativeId: string, options?: { signal?: AbortSignal; summary?: boolean }): Promise<Batch>;
  /** Newest first where the backend can order; `UNSUPPORTED` when `capabilities.list` is false. */
  list(query: ListQuery): Promise<BatchPage>;
  /**
   * Starts a batch; `input.kind` always matches `kind` (the gateway checks first). A backend whose
   * ids are caller-chosen derives one from `options.idempotencyKey`, so a repeated start is one
   * batch upstream too.
   */
  start(input: Input, options?: StartOptions): Promise<Batch>;
  /** Sets the batch's name upstream and answers the batch as it stands; present when `capabilities.rename`. */
  rename?(nativeId: string, name: string): Promise<Batch>;
  /** Asks the backend to stop the batch and answers the batch as it stands after the request. */
  cancel(nativeId: string): Promise<Batch>;
  /** Artifacts of one execution, when the batch's executions do not carry them already. */
  artifacts(nativeId: string, index: number): Promise<Artifact[]>;
  /**
   * Streams one artifact's bytes; `BATCH_NOT_FOUND`/`BAD_USER_INPUT` when unknown. `signal` aborts
   * the download while it waits for its head (the gateway's call deadline).
   */
  openArtifact(nativeId: string, index: number, name: string, options?: { signal?: AbortSignal }): Promise<ArtifactStream>;
  /**
   * Optional: finds the batch an earlier `start` of this input created when its answer was lost
   * (timeout, dropped connection), from what the backend can show (its execution list, an id
   * derived from the idempotency key). Answers the batch, or null when it cannot tell; the gateway
   * then refuses retries with `START_OUTCOME_UNKNOWN` rather than start a second batch.
   */
  reconcileStart?(input: Input, lost: LostStart): Promise<Batch | null>;
  /** Resolves when the backend answers with our credentials; throws a `GatewayError` otherwise. */
  probe(): Promise<void>;
  /** Frees sockets, timers and sessions. */
  dispose(): Promise<void>;
}

/** What the gateway knows about a start besides its input. */
export interface StartOptions {
  /** The client's idempotency key, when it gave one. */
  idempotencyKey?: string;
}

/** What `reconcileStart` knows of the start whose answer was lost. */
export interface LostStart {
  idempotencyKey: string;
  /** True for a batch the gateway already records (started or cancelled through it): not the lost one. */
  isRecorded(nativeId: string): Promise<boolean>;
}

/** Connector options every backend gets from the gateway besides its own config. */
export interface BackendContext {
  /** Upstream call timeout in ms. @default 10000 */
  timeoutMs: number;
  /** Most artifact downloads streaming from this backend at once (their own sockets). @default 8 */
  maxStreams?: number;
  /** A download that moves no byte for this long (stalled backend, or a client not reading) fails. @default 30000 */
  streamIdleMs?: number;
  /** Called after every upstream HTTP call, for metrics and debug logs. */
  onUpstreamCall?: (call: UpstreamCall) => void;
  /** Called when a connector skips or guesses something upstream gave it, for metrics and the log. */
  onWarning?: (warning: BackendWarning) => void;
}

/** Something a connector skipped or could not read, while the rest of its answer stands. */
export interface BackendWarning {
  backend: string;
  /** A short snake_case label for metrics, e.g. `list_forbidden`, `unknown_state`. */
  reason: string;
  /** For the log; never carries secrets. */
  message: string;
  /** False for a repeat the connector already reported: counted, not logged again. */
  log: boolean;
}

export interface UpstreamCall {
  backend: string;
  method: string;
  /** Path only: never the query string (it may carry ids) nor credentials. */
  path: string;
  statusCode: number | null;
  durationMs: number;
  outcome: 'ok' | 'error';
}
