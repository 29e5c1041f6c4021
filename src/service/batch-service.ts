import type { ArtifactStream, BatchBackend } from '../core/backend.js';
import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import { isTerminal, type Artifact, type Batch, type BatchState, type StartInput } from '../core/model.js';
import { batchKey, type BatchRef } from '../core/ids.js';
import type { Store } from '../store/store.js';
import { cancelAndRecord, recordedArtifacts } from './forgetful-cancel.js';
import { startIdempotently } from './idempotent-start.js';
import { backendPage, listAcross, recordsPage, type BackendPage, type ListCursor, type ListRequest, type MergedPage } from './listing.js';
import { ReadCache, type ReadFreshness } from './read-cache.js';
import { createBackendGuard, withCallDeadline, type BackendGuard } from './resilience.js';

export interface BatchServiceOptions {
  backends: readonly BatchBackend[];
  store: Store;
  /** How long identical reads share one answer. @default 250 */
  cacheTtlMs?: number;
  /** Most upstream calls in flight per backend. @default 64 */
  maxInFlight?: number;
  /** Consecutive transport failures that open a backend's circuit. @default 5 */
  failuresToOpen?: number;
  /** How long an open circuit refuses calls before letting one through. @default 5000 */
  halfOpenAfterMs?: number;
  /** How long a second request with an idempotency key waits for the first to finish. @default 30000 */
  idempotencyWaitMs?: number;
  /**
   * Longest one backend call may take, waiting for a bulkhead slot, a socket and retries included:
   * after it the caller gets `BACKEND_TIMEOUT`. @default 10000
   */
  callTimeoutMs?: number;
}

export type BatchListener = (batch: Batch) => void;

/** Marks a summary read's cache entry apart from the full read of the same batch. */
const SUMMARY_SUFFIX = '\u0000summary';

/**
 * The gateway's view of all backends: coalesced and briefly cached reads, resilience per backend,
 * and the gaps backends leave (listing, forgotten cancellations, idempotency) filled from the store.
 * GraphQL resolvers and live pollers both come through here, never to a connector directly.
 */
export class BatchService {
  readonly backends: ReadonlyMap<string, BatchBackend>;
  private readonly guards = new Map<string, BackendGuard>();
  private readonly health = new Map<string, { healthy: boolean; error: GatewayError | null }>();
  private readonly reads: ReadCache;
  private readonly listeners = new Set<BatchListener>();
  private readonly store: Store;
  private readonly idempotencyWaitMs: number;
  private readonly callTimeoutMs: number;

  constructor(options: BatchServiceOptions) {
    this.backends = new Map(options.backends.map((backend) => [backend.id, backend]));
    this.store = options.store;
    this.reads = new ReadCache(options.cacheTtlMs ?? 250);
    this.idempotencyWaitMs = options.idempotencyWaitMs ?? 30_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    for (const backend of options.backends) {
      const guard = createBackendGuard(backend.id, {
        maxInFlight: options.maxInFlight ?? 64,
        failuresToOpen: options.failuresToOpen,
        halfOpenAfterMs: options.halfOpenAfterMs,
      });
      this.guards.set(backend.id, guard);
      this.health.set(backend.id, { healthy: true, error: null });
    }
  }

  backend(id: string): BatchBackend {
    const backend = this.backends.get(id);
    if (!backend) throw new GatewayError(ErrorCode.BACKEND_NOT_FOUND, `No backend "${truncate(id)}" is configured`, { backend: id });
    return backend;
  }

  /** Called with every batch the gateway changed itself (start, cancel, rename), so watchers see it at once. */
  onBatchChanged(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * One batch, through the read cache (`read-cache.ts`). A `summary` read (a live poll nobody reads
   * executions from) is cached apart from full ones.
   */
  getBatch(ref: BatchRef, options: ReadFreshness & { summary?: boolean } = {}): Promise<Batch> {
    const summary = options.summary === true;
    const key = batchKey(ref) + (summary ? SUMMARY_SUFFIX : '');
    return this.reads.read(key, options, () => this.fetchBatch(ref, summary));
  }

  private async fetchBatch(ref: BatchRef, summary: boolean): Promise<Batch> {
    const { backendId, nativeId } = ref;
    const backend = this.backend(backendId);
    try {
      return await this.guarded(backend, (signal) => backend.get(nativeId, { signal, summary }));
    } catch (error) {
      const gatewayError = toGatewayError(error, backendId);
      if (gatewayError.code !== ErrorCode.BATCH_NOT_FOUND) throw gatewayError;
      // The backend forgot a batch the gateway cancelled (ML Server deletes it): answer from the record.
      const record = await this.store.get(backendId, nativeId);
      if (record?.cancelledAt && record.snapshot) return record.snapshot;
      // Forgotten otherwise (SLV's retention, deleted by someone else): the last known state, and why
      // it will not change any more unless it had already ended.
      if (record?.snapshot) {
        if (isTerminal(record.snapshot.state)) return record.snapshot;
        return { ...record.snapshot, error: { code: gatewayError.code, message: gatewayError.message } };
      }
      throw gatewayError;
    }
  }

  /** The batch as the gateway's records last saw it; null when it has no record of it. */
  async lastKnown(ref: BatchRef): Promise<Batch | null> {
    return (await this.store.get(ref.backendId, ref.nativeId))?.snapshot ?? null;
  }

  /** Keeps a batch's last known state in the gateway's record (a no-op for batches it did not start). */
  async keepLastKnown(batch: Batch): Promise<void> {
    await this.store.updateSnapshot(batch);
    this.invalidate(batch);
  }

  private invalidate(ref: BatchRef): void {
    const key = batchKey(ref);
    this.reads.delete(key);
    this.reads.delete(key + SUMMARY_SUFFIX);
  }

  /** One page across backends, all asked at once; a backend that fails adds an error naming it. */
  async listBatches(request: ListRequest): Promise<MergedPage> {
    const first = Math.max(0, Math.min(request.first, 100));
    const ids = request.backendId ? [this.backend(request.backendId).id] : [...this.backends.keys()];
    return listAcross(ids, { first, after: request.after, states: request.states ?? null }, (backendId, cursor, limit, states) =>
      this.listOne(this.backend(backendId), cursor, limit, states),
    );
  }

  /**
   * One page from one backend. A backend that cannot list shows the batches the gateway started
   * there; one that forgets cancelled batches gets them appended after its own.
   */
  private async listOne(backend: BatchBackend, cursor: ListCursor, limit: number, states: readonly BatchState[] | null): Promise<BackendPage> {
    if (cursor.phase === 'backend' && backend.capabilities.list) {
      return backendPage((query) => this.guarded(backend, () => backend.list(query)), backend, cursor, limit, states);
    }
    return recordsPage({ store: this.store, getBatch: (nativeId) => this.getBatch({ backendId: backend.id, nativeId }) }, backend, cursor, limit, states);
  }

  async startBatch(backendId: string, input: StartInput, idempotencyKey?: string | null): Promise<Batch> {
    const backend = this.backend(backendId);
    if (input.kind !== backend.kind) {
      throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backendId}" is of kind ${backend.kind}; the input is for ${input.kind}`, {
        backend: backendId,
      });
    }
    if (!idempotencyKey) return withCallDeadline(backend.id, this.doStartUnbounded(backend, input, null), this.callTimeoutMs, () => undefined);
    return startIdempotently(
      {
        store: this.store,
        waitMs: this.idempotencyWaitMs,
        start: (target, startInput) => this.doStartUnbounded(target, startInput, idempotencyKey),
        bounded: (target, call) => withCallDeadline(target.id, call, this.callTimeoutMs, () => undefined),
        guarded: (target, call) => this.guarded(target, () => call()),
        adopt: async (batch) => {
          await this.store.recordStarted(batch);
          this.emit(batch);
        },
        getBatch: (ref) => this.getBatch(ref),
      },
      backend,
      input,
      idempotencyKey,
    );
  }

  /** Never retried: a start that timed out may have started upstream. Records and announces what it started, even late. */
  private async doStartUnbounded(backend: BatchBackend, input: StartInput, idempotencyKey: string | null): Promise<Batch> {
    const batch = await this.guards
      .get(backend.id)!
      .run(() => backend.start(input, idempotencyKey ? { idempotencyKey } : undefined))
      .catch((error: unknown) => Promise.reject(toGatewayError(error, backend.id)));
    await this.store.recordStarted(batch);
    this.emit(batch);
    return batch;
  }

  async cancelBatch(ref: BatchRef): Promise<Batch> {
    const { backendId, nativeId } = ref;
    const backend = this.backend(backendId);
    if (!backend.capabilities.cancel) {
      throw new GatewayError(ErrorCode.UNSUPPORTED, `Backend "${backendId}" cannot cancel batches`, { backend: backendId });
    }
    const record = await this.store.get(backendId, nativeId);
    if (record?.cancelledAt && record.snapshot && backend.capabilities.forgetsCancelled) return record.snapshot;
    const deps = { store: this.store, getBatch: (target: BatchRef) => this.getBatch(target, { fresh: true }) };
    const batch = await cancelAndRecord({ ...deps, guarded: (target, call) => this.guarded(target, call) }, backend, nativeId);
    this.invalidate(ref);
    this.emit(batch);
    return batch;
  }

  async renameBatch(ref: BatchRef, name: string): Promise<Batch> {
    const { backendId, nativeId } = ref;
    const backend = this.backend(backendId);
    if (!backend.capabilities.rename || !backend.rename) {
      throw new GatewayError(ErrorCode.UNSUPPORTED, `Backend "${backendId}" cannot rename batches`, { backend: backendId });
    }
    const batch = await this.guarded(backend, () => backend.rename!(nativeId, name));
    this.invalidate(ref);
    this.emit(batch);
    return batch;
  }

  /** Artifacts of one execution; for a batch the backend forgot, those the gateway's record kept. */
  async artifacts(ref: BatchRef, index: number): Promise<Artifact[]> {
    const backend = this.backend(ref.backendId);
    try {
      return await this.guarded(backend, () => backend.artifacts(ref.nativeId, index));
    } catch (error) {
      const recorded = await recordedArtifacts(this.store, error, ref, index).catch(() => null);
      if (recorded) return recorded;
      throw error;
    }
  }

  openArtifact(ref: BatchRef, index: number, name: string): Promise<ArtifactStream> {
    const backend = this.backend(ref.backendId);
    return this.guarded(backend, (signal) => backend.openArtifact(ref.nativeId, index, name, { signal }), (late) => late.body.destroy());
  }

  /** Probes every backend; `healthy` reflects the answer and the circuit. */
  async probeAll(): Promise<void> {
    await Promise.all(
      [...this.backends.values()].map(async (backend) => {
        try {
          await this.guarded(backend, () => backend.probe());
          this.health.set(backend.id, { healthy: true, error: null });
        } catch (error) {
          this.health.set(backend.id, { healthy: false, error: toGatewayError(error, backend.id) });
        }
      }),
    );
  }

  healthOf(backendId: string): { healthy: boolean; error: GatewayError | null } {
    const health = this.health.get(backendId) ?? { healthy: false, error: null };
    if (this.guards.get(backendId)?.circuitOpen) return { healthy: false, error: health.error };
    return health;
  }

  /** The backend's circuit breaker state (metrics). */
  circuitStateOf(backendId: string): 'closed' | 'half_open' | 'open' {
    return this.guards.get(backendId)?.circuitState ?? 'closed';
  }

  /**
   * Runs an upstream call under the backend's bulkhead and circuit breaker, errors named, within
   * `callTimeoutMs` from now: the wait for a slot, for a socket and every retry count. At the
   * deadline the call's signal aborts (connectors that take one stop at once) and the caller gets
   * `BACKEND_TIMEOUT`; `onLate` receives an answer that still comes afterwards, to free it.
   */
  private guarded<T>(backend: BatchBackend, call: (signal: AbortSignal) => Promise<T>, onLate?: (value: T) => void): Promise<T> {
    const controller = new AbortController();
    const running = (async () => {
      try {
        return await this.guards.get(backend.id)!.run(() => call(controller.signal));
      } catch (error) {
        throw toGatewayError(error, backend.id);
      }
    })();
    return withCallDeadline(backend.id, running, this.callTimeoutMs, () => controller.abort(), onLate);
  }

  private emit(batch: Batch): void {
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch {
        // A listener's failure must not fail the mutation that triggered it.
      }
    }
  }

  async dispose(): Promise<void> {
    for (const guard of this.guards.values()) guard.dispose();
    this.listeners.clear();
    await Promise.all([...this.backends.values()].map((backend) => backend.dispose().catch(() => undefined)));
  }
}

const truncate = (value: string): string => (value.length > 80 ? `${value.slice(0, 77)}...` : value);
