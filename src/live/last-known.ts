import { ErrorCode, isBackendFault, toGatewayError, type GatewayError } from '../core/errors.js';
import type { BatchRef } from '../core/ids.js';
import { isTerminal, type Batch } from '../core/model.js';
import type { BatchService } from '../service/batch-service.js';
import type { LiveError, LiveEvent } from './events.js';

/** A batch the backend no longer knows, answered from the gateway's records: its state is final. */
export const isGone = (batch: Batch): boolean => !isTerminal(batch.state) && batch.error?.code === ErrorCode.BATCH_NOT_FOUND;

export const liveError = (error: GatewayError): LiveError => ({ code: error.code, message: error.message, backend: error.backend ?? null });

/**
 * The first event of a subscription made while the backend fails: the batch as the gateway's
 * records last saw it, carrying the error, so the stream opens and waits for polling to recover.
 * Rethrows when the failure is not the backend's (an unknown batch) or the gateway has no record.
 */
export async function lastKnownEvent(service: BatchService, ref: BatchRef, caught: unknown): Promise<LiveEvent> {
  const error = toGatewayError(caught, ref.backendId);
  if (!isBackendFault(error)) throw error;
  const batch = await service.lastKnown(ref).catch(() => null);
  if (!batch) throw error;
  return { batch, terminal: isTerminal(batch.state), error: isTerminal(batch.state) ? null : liveError(error), version: 0 };
}
