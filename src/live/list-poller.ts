import { batchKey } from '../core/ids.js';
import { isTerminal } from '../core/model.js';
import type { BatchService } from '../service/batch-service.js';
import { backoffDelay } from '../lib/backoff.js';
import { withDeadline } from '../lib/deadline.js';
import type { Coordinator } from './coordinator.js';
import type { LiveEvent } from './events.js';
import { fingerprint } from './fingerprint.js';
import { listKeyOf } from './keys.js';
import { observedNow } from './version-gate.js';

export interface ListPollerDeps {
  coordinator: Coordinator;
  service: BatchService;
  /** Hands a changed batch to `batchUpdates` subscribers (the hub dedupes). */
  announce: (event: LiveEvent) => void;
  listIntervalMs: number;
  maxIntervalMs: number;
  onPoll?: (kind: 'batch' | 'list', key: string) => void;
}

/** Polls one backend's newest batches for `batchUpdates`, announcing what changed since last time. */
export class ListPoller {
  subscribers = 0;
  private previous = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failures = 0;
  private readonly unsubscribeRemote: () => void;

  constructor(
    readonly backendId: string,
    private readonly deps: ListPollerDeps,
  ) {
    this.unsubscribeRemote = deps.coordinator.subscribe(listKeyOf(backendId), deps.announce);
    void this.tick(true);
  }

  private async tick(baseline = false): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    const key = listKeyOf(this.backendId);
    let holder: boolean;
    try {
      holder = await withDeadline(this.deps.coordinator.acquire(key, this.deps.listIntervalMs * 2 + 1000), Math.max(this.deps.listIntervalMs, 1000));
    } catch {
      holder = true; // Redis unreachable: list for this replica's own subscribers (see heartbeat)
    }
    if (holder) {
      try {
        const result = await this.deps.service.listBatches({ backendId: this.backendId, first: 100 });
        this.deps.onPoll?.('list', this.backendId);
        const [failure] = result.errors;
        if (failure) throw failure;
        this.failures = 0;
        const next = new Map<string, string>();
        for (const batch of result.items) {
          const print = fingerprint(batch);
          next.set(batchKey(batch), print);
          if (!baseline && this.previous.get(batchKey(batch)) !== print) {
            const event: LiveEvent = { batch, terminal: isTerminal(batch.state), error: null, version: observedNow() };
            this.deps.announce(event);
            void this.deps.coordinator.publish(key, event).catch(() => undefined);
          }
        }
        this.previous = next;
      } catch {
        this.failures += 1;
      }
    }
    if (this.stopped) return;
    const delay = this.failures > 0 ? backoffDelay(this.failures, { baseMs: this.deps.listIntervalMs, maxMs: this.deps.maxIntervalMs }) : this.deps.listIntervalMs;
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribeRemote();
    void this.deps.coordinator.release(listKeyOf(this.backendId)).catch(() => undefined);
  }
}

