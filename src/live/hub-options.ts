import type { BatchService } from '../service/batch-service.js';
import type { Coordinator } from './coordinator.js';

/** What a hub is made from; its pollers read it too. */
export interface HubOptions {
  service: BatchService;
  /** @default in-process (createLocalCoordinator) */
  coordinator?: Coordinator;
  /** Poll interval while a batch moves. */
  intervalMs: number;
  /** Slowest poll interval when idle, and the cap of error backoff. */
  maxIntervalMs: number;
  /** Poll interval of each backend's list for `batchUpdates`. */
  listIntervalMs: number;
  /** Called after every upstream poll, for metrics and tests. */
  onPoll?: (kind: 'batch' | 'list', key: string) => void;
}
