import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchBackend } from '../core/backend.js';
import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import type { BatchRef } from '../core/ids.js';
import type { Batch, StartInput } from '../core/model.js';
import { transportCodeOf } from '../lib/http-client.js';
import type { Store } from '../store/store.js';
import { UnreachableCaseError } from '../core/unreachable.js';

export interface IdempotentStartDeps {
  store: Store;
  /** How long a second request with the key waits for the first to finish. */
  waitMs: number;
  /** The upstream start, unbounded: it settles when the backend answers or the transport gives up. */
  start(backend: BatchBackend, input: StartInput): Promise<Batch>;
  /** Bounds a call by the upstream deadline; a late answer still settles the promise passed in. */
  bounded<T>(backend: BatchBackend, call: Promise<T>): Promise<T>;
  /** Runs a reconcile call under the backend's guard and deadline. */
  guarded<T>(backend: BatchBackend, call: () => Promise<T>): Promise<T>;
  /** Records a batch found by reconciliation as started by the gateway. */
  adopt(batch: Batch): Promise<void>;
  getBatch(ref: BatchRef): Promise<Batch>;
}

/** Transport codes that prove the request never reached the backend. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * True when a failed start may still have started the batch: the backend did not answer in time,
 * or the connection dropped after the request went out. A refusal before sending (connection
 * refused, circuit open, bulkhead full) or an answer (any HTTP status) is a known outcome.
 */
function isOutcomeUnknown(error: GatewayError): boolean {
  if (error.code === ErrorCode.BACKEND_TIMEOUT) return true;
  if (error.code !== ErrorCode.BACKEND_UNAVAILABLE) return false;
  if ((error.extensions['upstream'] as { status?: unknown } | undefined)?.status !== undefined) return false;
  const code = transportCodeOf(error.cause);
  return code !== null && !NEVER_SENT.has(code);
}

const outcomeUnknown = (backendId: string, why: string, cause?: unknown) =>
  new GatewayError(
    ErrorCode.START_OUTCOME_UNKNOWN,
    `A start with this idempotencyKey was sent to backend "${backendId}" and its answer was lost; ${why}. No second batch is started for this key.`,
    { backend: backendId, cause, extensions: { field: 'idempotencyKey' } },
  );

/**
 * `startBatch` with an idempotency key: one key never causes two upstream starts. The key is
 * claimed before the start; a start that failed with a known outcome frees it for a retry; one
 * whose outcome is unknown keeps it claimed as "unknown". Then the late answer, if it comes, or a
 * retry's reconciliation (the connector's `reconcileStart`) completes it; until then retries get
 * `START_OUTCOME_UNKNOWN`.
 */
export async function startIdempotently(deps: IdempotentStartDeps, backend: BatchBackend, input: StartInput, key: string): Promise<Batch> {
  const { store } = deps;
  const fingerprint = createHash('sha256').update(JSON.stringify({ backendId: backend.id, input })).digest('hex');
  const deadline = Date.now() + deps.waitMs;
  for (;;) {
    const claim = await store.claimIdempotency(key, fingerprint, deps.waitMs * 2);
    switch (claim.status) {
      case 'claimed':
        return startClaimed(deps, backend, input, key);
      case 'done':
        return deps.getBatch(claim);
      case 'unknown':
        return reconcile(deps, backend, input, key);
      case 'mismatch':
        throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'This idempotencyKey was already used with a different input', {
          backend: backend.id,
          extensions: { field: 'idempotencyKey' },
        });
      case 'pending':
        if (Date.now() > deadline) {
          throw new GatewayError(ErrorCode.BACKEND_TIMEOUT, 'A start with this idempotencyKey is still in progress', { backend: backend.id });
        }
        await sleep(50);
        break;
      default: {
        throw new UnreachableCaseError(claim, 'claim');
      }
    }
  }
}

async function startClaimed(deps: IdempotentStartDeps, backend: BatchBackend, input: StartInput, key: string): Promise<Batch> {
  const attempt = deps.start(backend, input);
  let batch: Batch;
  try {
    batch = await deps.bounded(backend, attempt);
  } catch (caught) {
    const error = toGatewayError(caught, backend.id);
    if (!isOutcomeUnknown(error)) {
      await deps.store.releaseIdempotency(key);
      throw error;
    }
    await deps.store.markIdempotencyUnknown(key);
    // A late answer settles the key: later retries then get the batch it started.
    attempt.then(
      (late) => deps.store.completeIdempotency(key, backend.id, late.nativeId).catch(() => undefined),
      () => undefined,
    );
    throw error;
  }
  await deps.store.completeIdempotency(key, backend.id, batch.nativeId);
  return batch;
}

async function reconcile(deps: IdempotentStartDeps, backend: BatchBackend, input: StartInput, key: string): Promise<Batch> {
  const reconcileStart = backend.reconcileStart?.bind(backend);
  if (!reconcileStart) throw outcomeUnknown(backend.id, 'this backend cannot tell whether it started');
  let found: Batch | null;
  try {
    found = await deps.guarded(backend, () =>
      reconcileStart(input, { idempotencyKey: key, isRecorded: async (nativeId) => (await deps.store.get(backend.id, nativeId)) !== null }),
    );
  } catch (error) {
    throw outcomeUnknown(backend.id, 'asking the backend about it failed too; try again later', error);
  }
  if (!found) throw outcomeUnknown(backend.id, 'the backend shows no batch that it certainly started');
  await deps.adopt(found);
  await deps.store.completeIdempotency(key, backend.id, found.nativeId);
  return found;
}
