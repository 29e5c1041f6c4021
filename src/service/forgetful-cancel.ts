import type { BatchBackend } from '../core/backend.js';
import { ErrorCode, isGatewayError } from '../core/errors.js';
import type { BatchRef } from '../core/ids.js';
import { isTerminal, type Artifact, type Batch } from '../core/model.js';
import type { Store } from '../store/store.js';

export interface ForgetfulCancelDeps {
  store: Store;
  getBatch(ref: BatchRef): Promise<Batch>;
  guarded<T>(backend: BatchBackend, call: () => Promise<T>): Promise<T>;
}

/** Most executions whose artifact names are kept when their batch is cancelled. */
const MAX_EXECUTIONS_KEPT = 200;
/** Artifact listings asked at once while keeping them. */
const CONCURRENCY = 4;

/** Cancels upstream and records the cancellation (see `cancelForgetful` for backends that forget it). */
export async function cancelAndRecord(deps: ForgetfulCancelDeps, backend: BatchBackend, nativeId: string): Promise<Batch> {
  if (backend.capabilities.forgetsCancelled) return cancelForgetful(deps, backend, nativeId);
  const batch = await deps.guarded(backend, () => backend.cancel(nativeId));
  await deps.store.recordCancelled(batch);
  return batch;
}

/**
 * Cancelling on a backend that forgets what it cancels (ML Server deletes the execution and its
 * files). The gateway records the cancellation *before* asking upstream, with the artifact names
 * its executions show at that moment: a poll or read that meets the backend's 404 right after the
 * delete then finds the record, and the batch, its executions and artifact names stay readable.
 */
async function cancelForgetful(deps: ForgetfulCancelDeps, backend: BatchBackend, nativeId: string): Promise<Batch> {
  const before = await deps.getBatch({ backendId: backend.id, nativeId });
  if (isTerminal(before.state)) return deps.guarded(backend, () => backend.cancel(nativeId));
  const executions = await withArtifacts(deps, backend, before);
  await deps.store.recordCancelled({ ...before, executions, state: 'CANCELLED', finishedAt: new Date(), error: null });
  const answered = await deps.guarded(backend, () => backend.cancel(nativeId));
  const kept = new Map(executions.map((execution) => [execution.index, execution.artifacts]));
  const batch = {
    ...answered,
    executions: answered.executions.map((execution) => ({ ...execution, artifacts: execution.artifacts ?? kept.get(execution.index) })),
  };
  await deps.store.recordCancelled(batch);
  return batch;
}

async function withArtifacts(deps: ForgetfulCancelDeps, backend: BatchBackend, batch: Batch): Promise<Batch['executions']> {
  const executions = batch.executions.map((execution) => ({ ...execution }));
  const missing = executions.filter((execution) => execution.artifacts === undefined).slice(0, MAX_EXECUTIONS_KEPT);
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const execution = missing[next++]!;
      try {
        execution.artifacts = await deps.guarded(backend, () => backend.artifacts(batch.nativeId, execution.index));
      } catch {
        // Not listed now: the record answers none for it rather than fail the cancel.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, missing.length) }, worker));
  return executions;
}

/**
 * Artifact names of a batch the backend no longer knows, from the gateway's record: those seen
 * before it was cancelled or forgotten, none otherwise. Null when the gateway has no record.
 */
export async function recordedArtifacts(store: Store, error: unknown, ref: BatchRef, index: number): Promise<Artifact[] | null> {
  if (!isGatewayError(error) || error.code !== ErrorCode.BATCH_NOT_FOUND) return null;
  const record = await store.get(ref.backendId, ref.nativeId);
  if (!record?.snapshot) return null;
  return record.snapshot.executions.find((execution) => execution.index === index)?.artifacts ?? [];
}
