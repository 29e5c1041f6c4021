import { batchKey, type BatchRef } from '../core/ids.js';

/** Coordinator key (lease and channel) of one batch's poller. */
export const leaseKeyOf = (ref: BatchRef) => `batch\u0000${batchKey(ref)}`;
/** Coordinator key of one backend's list poller. */
export const listKeyOf = (backendId: string) => `list\u0000${backendId}`;
