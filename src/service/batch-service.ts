import { createHash } from 'node:crypto';
import type { ArtifactStream, BatchBackend } from '../core/backend.js';
import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import { isTerminal, type Artifact, type Batch, type BatchState, type StartInput } from '../core/model.js';
import type { Store } from '../store/store.js';
import { createBackendGuard, type BackendGuard } from './resilience.js';

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
}

export interface ListRequest {
  backendId?: string | null;
  states?: readonly BatchState[] | null;
  first: number;
  after?: string | null;
}

export interface ListResult {
  items: Batch[];
  /** For each item, the cursor to pass as `after` to continue right after it (Relay `Edge.cursor`). */
  cursors: string[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** One per backend that failed; the other backends' batches are still in `items`. */
  errors: GatewayError[];
}

export type BatchListener = (batch: Batch) => void;

/**
 * The gateway's view of all backends: coalesced and briefly cached reads, resilience per backend,
 * and the gaps backends leave (listing, forgotten cancellations, idempotency) filled from the store.
 * GraphQL resolvers and live pollers both come through here, never to a connector directly.
 */
export class BatchService {
  readonly backends: ReadonlyMap<string, BatchBackend>;
  private readonly guards = new Map<string, BackendGuard>();
  private readonly health = new Map<string, { healthy: boolean; error: GatewayError | null }>();
  private readonly inflight = new Map<string, { promise: Promise<Batch>; expires: number }>();
  private readonly listeners = new Set<BatchListener>();
  private readonly store: Store;
  private readonly cacheTtlMs: number;
  private readonly idempotencyWaitMs: number;

  constructor(options: BatchServiceOptions) {
    this.backends = new Map(options.backends.map((backend) => [backend.id, backend]));
    this.store = options.store;
    this.cacheTtlMs = options.cacheTtlMs ?? 250;
    this.idempotencyWaitMs = options.idempotencyWaitMs ?? 30_000;
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
   * One batch. Identical reads in flight at once go upstream once, and an answer is shared for
   * `cacheTtlMs` (kept below the poll interval, so pollers always see fresh data).
   */
  getBatch(backendId: string, nativeId: string, options: { fresh?: boolean } = {}): Promise<Batch> {
    const key = `${backendId}\u0000${nativeId}`;
    const now = Date.now();
    const cached = this.inflight.get(key);
    if (cached && (cached.expires === Infinity || (!options.fresh && cached.expires > now))) return cached.promise;
    const entry = { promise: this.fetchBatch(backendId, nativeId), expires: Infinity };
    this.inflight.set(key, entry);
    entry.promise.then(
      () => {
        entry.expires = Date.now() + this.cacheTtlMs;
        if (this.cacheTtlMs === 0 && this.inflight.get(key) === entry) this.inflight.delete(key);
        else setTimeout(() => this.inflight.get(key) === entry && this.inflight.delete(key), this.cacheTtlMs).unref();
      },
      () => {
        if (this.inflight.get(key) === entry) this.inflight.delete(key);
      },
    );
    return entry.promise;
  }

  private async fetchBatch(backendId: string, nativeId: string): Promise<Batch> {
    const backend = this.backend(backendId);
    try {
      return await this.guarded(backend, () => backend.get(nativeId));
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

  /** Keeps a batch's last known state in the gateway's record (a no-op for batches it did not start). */
  async keepLastKnown(batch: Batch): Promise<void> {
    await this.store.updateSnapshot(batch);
    this.invalidate(batch.backendId, batch.nativeId);
  }

  private invalidate(backendId: string, nativeId: string): void {
    this.inflight.delete(`${backendId}\u0000${nativeId}`);
  }

  async listBatches(request: ListRequest): Promise<ListResult> {
    const first = Math.max(0, Math.min(request.first, 100));
    const ids = request.backendId ? [this.backend(request.backendId).id] : [...this.backends.keys()];
    let cursor = decodeListCursor(request.after, ids);
    const items: Batch[] = [];
    const cursors: string[] = [];
    const errors: GatewayError[] = [];
    while (cursor && items.length < first) {
      const at: ListCursor = cursor;
      const backend = this.backend(ids[at.backend]!);
      try {
        const page = await this.listOne(backend, at, first - items.length, request.states ?? null);
        items.push(...page.items);
        cursors.push(...page.cursors.map(encodeListCursor));
        cursor = page.next ?? nextBackend(at, ids);
      } catch (error) {
        errors.push(toGatewayError(error, backend.id));
        cursor = nextBackend(at, ids);
      }
    }
    // The last item's cursor and the page's end resume at the same place; the item's is what Relay clients expect.
    const endCursor = cursor ? (cursors.at(-1) ?? encodeListCursor(cursor)) : null;
    return { items, cursors, endCursor, hasNextPage: cursor !== null, errors };
  }

  /**
   * One page from one backend. A backend that cannot list shows the batches the gateway started
   * there; one that forgets cancelled batches gets them appended after its own.
   */
  private async listOne(
    backend: BatchBackend,
    cursor: ListCursor,
    limit: number,
    states: readonly BatchState[] | null,
  ): Promise<{ items: Batch[]; cursors: ListCursor[]; next: ListCursor | null }> {
    if (cursor.phase === 'backend' && backend.capabilities.list) {
      // In this phase `offset` counts items of the backend's page at `token` already handed out: a
      // cursor can point after any item, not only at a page boundary.
      const skip = cursor.offset;
      const page = await this.guarded(backend, () => backend.list({ limit: limit + skip, cursor: cursor.token, ...(states ? { states } : {}) }));
      const items = page.items.slice(skip, skip + limit);
      const cursors = items.map((_, index) => ({ ...cursor, offset: skip + index + 1 }));
      if (page.nextCursor) return { items, cursors, next: { ...cursor, token: page.nextCursor, offset: Math.max(0, skip - page.items.length) } };
      if (skip + items.length < page.items.length) return { items, cursors, next: { ...cursor, offset: skip + items.length } };
      if (!backend.capabilities.forgetsCancelled) return { items, cursors, next: null };
      return { items, cursors, next: { backend: cursor.backend, phase: 'store', token: null, offset: 0 } };
    }
    const cancelledOnly = backend.capabilities.list;
    const page = await this.store.list(backend.id, { offset: cursor.offset, limit, cancelledOnly });
    const batches = await Promise.all(
      page.records.map(async (record) => {
        if (cancelledOnly && record.snapshot) return record.snapshot;
        try {
          const batch = await this.getBatch(backend.id, record.nativeId);
          // Only a changed batch is written back: listing is frequent, and rewriting every record's
          // snapshot on every page was most of the store's writes.
          if (!record.snapshot || JSON.stringify(record.snapshot) !== JSON.stringify(batch)) void this.store.updateSnapshot(batch).catch(() => undefined);
          return batch;
        } catch (error) {
          if (record.snapshot) return record.snapshot;
          throw error;
        }
      }),
    );
    const kept = batches.map((batch, index) => ({ batch, index })).filter(({ batch }) => !states || states.includes(batch.state));
    return {
      items: kept.map(({ batch }) => batch),
      cursors: kept.map(({ index }) => ({ backend: cursor.backend, phase: 'store' as const, token: null, offset: cursor.offset + index + 1 })),
      next: page.next === null ? null : { backend: cursor.backend, phase: 'store', token: null, offset: page.next },
    };
  }

  async startBatch(backendId: string, input: StartInput, idempotencyKey?: string | null): Promise<Batch> {
    const backend = this.backend(backendId);
    if (input.kind !== backend.kind) {
      throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backendId}" is of kind ${backend.kind}; the input is for ${input.kind}`, {
        backend: backendId,
      });
    }
    if (!idempotencyKey) return this.doStart(backend, input, null);

    const fingerprint = createHash('sha256').update(JSON.stringify({ backendId, input })).digest('hex');
    const deadline = Date.now() + this.idempotencyWaitMs;
    for (;;) {
      const claim = await this.store.claimIdempotency(idempotencyKey, fingerprint, this.idempotencyWaitMs * 2);
      switch (claim.status) {
        case 'claimed': {
          let batch: Batch;
          try {
            batch = await this.doStart(backend, input, idempotencyKey);
          } catch (error) {
            await this.store.releaseIdempotency(idempotencyKey);
            throw error;
          }
          await this.store.completeIdempotency(idempotencyKey, backendId, batch.nativeId);
          return batch;
        }
        case 'done':
          return this.getBatch(claim.backendId, claim.nativeId);
        case 'mismatch':
          throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'This idempotencyKey was already used with a different input', {
            backend: backendId,
            extensions: { field: 'idempotencyKey' },
          });
        case 'pending':
          if (Date.now() > deadline) {
            throw new GatewayError(ErrorCode.BACKEND_TIMEOUT, 'A start with this idempotencyKey is still in progress', { backend: backendId });
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
          break;
        default: {
          const exhaustive: never = claim;
          throw new Error(`Unknown claim ${JSON.stringify(exhaustive)}`);
        }
      }
    }
  }

  private async doStart(backend: BatchBackend, input: StartInput, idempotencyKey: string | null): Promise<Batch> {
    // Never retried: a start that timed out may have started upstream.
    const batch = await this.guarded(backend, () => backend.start(input, idempotencyKey ? { idempotencyKey } : undefined));
    await this.store.recordStarted(batch);
    this.emit(batch);
    return batch;
  }

  async cancelBatch(backendId: string, nativeId: string): Promise<Batch> {
    const backend = this.backend(backendId);
    if (!backend.capabilities.cancel) {
      throw new GatewayError(ErrorCode.UNSUPPORTED, `Backend "${backendId}" cannot cancel batches`, { backend: backendId });
    }
    const record = await this.store.get(backendId, nativeId);
    if (record?.cancelledAt && record.snapshot && backend.capabilities.forgetsCancelled) return record.snapshot;
    const batch = await this.guarded(backend, () => backend.cancel(nativeId));
    await this.store.recordCancelled(batch);
    this.invalidate(backendId, nativeId);
    this.emit(batch);
    return batch;
  }

  async renameBatch(backendId: string, nativeId: string, name: string): Promise<Batch> {
    const backend = this.backend(backendId);
    const rename = (backend as Partial<{ rename(nativeId: string, name: string): Promise<Batch> }>).rename;
    if (typeof rename !== 'function') {
      throw new GatewayError(ErrorCode.UNSUPPORTED, `Backend "${backendId}" cannot rename batches`, { backend: backendId });
    }
    const batch = await this.guarded(backend, () => rename.call(backend, nativeId, name));
    this.invalidate(backendId, nativeId);
    this.emit(batch);
    return batch;
  }

  artifacts(backendId: string, nativeId: string, index: number): Promise<Artifact[]> {
    const backend = this.backend(backendId);
    return this.guarded(backend, () => backend.artifacts(nativeId, index));
  }

  openArtifact(backendId: string, nativeId: string, index: number, name: string): Promise<ArtifactStream> {
    const backend = this.backend(backendId);
    return this.guarded(backend, () => backend.openArtifact(nativeId, index, name));
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

  /** Runs an upstream call under the backend's bulkhead and circuit breaker, errors named. */
  private async guarded<T>(backend: BatchBackend, call: () => Promise<T>): Promise<T> {
    try {
      return await this.guards.get(backend.id)!.run(call);
    } catch (error) {
      throw toGatewayError(error, backend.id);
    }
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

/** Where a cross-backend listing stands: which backend, and where inside it. */
interface ListCursor {
  backend: number;
  phase: 'backend' | 'store';
  token: string | null;
  offset: number;
}

function nextBackend(cursor: ListCursor, ids: readonly string[]): ListCursor | null {
  return cursor.backend + 1 < ids.length ? { backend: cursor.backend + 1, phase: 'backend', token: null, offset: 0 } : null;
}

function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.backend, cursor.phase === 'store' ? 1 : 0, cursor.token, cursor.offset])).toString('base64url');
}

function decodeListCursor(after: string | null | undefined, ids: readonly string[]): ListCursor | null {
  if (ids.length === 0) return null;
  if (!after) return { backend: 0, phase: 'backend', token: null, offset: 0 };
  try {
    const [backend, phase, token, offset] = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as [number, number, string | null, number];
    if (Number.isInteger(backend) && backend >= 0 && backend < ids.length && Number.isInteger(offset) && offset >= 0) {
      return { backend, phase: phase === 1 ? 'store' : 'backend', token: typeof token === 'string' ? token : null, offset };
    }
  } catch {
    // fall through to the error below
  }
  throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'The "after" cursor is not one this gateway issued for this listing', {
    extensions: { field: 'after' },
  });
}

const truncate = (value: string): string => (value.length > 80 ? `${value.slice(0, 77)}...` : value);
