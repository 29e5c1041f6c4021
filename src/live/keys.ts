import { batchKey } from '../core/ids.js';

/** In-process key of a batch (one definition, in core/ids). */
export { batchKey };
/** Coordinator key (lease and channel) of one batch's poller. */
export const leaseKeyOf = (backendId: string, nativeId: string) => `batch\u0000${batchKey({ backendId, nativeId })}`;
/** Coordinator key of one backend's list poller. */
export const listKeyOf = (backendId: string) => `list\u0000${backendId}`;

/** Rejects when `promise` has not settled within `ms` (a Redis that hangs counts as one that is down). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('deadline')), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

