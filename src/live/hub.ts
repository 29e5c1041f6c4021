import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import { isTerminal, type Batch } from '../core/model.js';
import type { BatchService } from '../service/batch-service.js';
import { createLocalCoordinator, type Coordinator } from './coordinator.js';
import { createEventQueue, type EventQueue } from './event-queue.js';
import type { LiveError, LiveEvent, LiveHub, UpdatesFilter } from './events.js';

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

/** Unchanged polls in a row after which a batch counts as idle and its polls slow down. */
const IDLE_AFTER = 3;

const batchKey = (batch: Pick<Batch, 'backendId' | 'nativeId'>) => `${batch.backendId}\u0000${batch.nativeId}`;
const fingerprint = (batch: Batch) => JSON.stringify(batch);
const liveError = (error: GatewayError): LiveError => ({ code: error.code, message: error.message, backend: error.backend ?? null });

/**
 * Turns polls into pushes. Every watched batch has one poller, shared by all its subscribers on all
 * connections: started by the first, stopped after the last leaves or when the batch ends. With a
 * Redis coordinator, only the replica holding a batch's lease polls it; the others relay its events.
 *
 * Scheduling: a poll follows the previous one's answer (never two in flight for one batch). While
 * the batch changes, polls come every `intervalMs`; after `IDLE_AFTER` unchanged polls the gap grows
 * by half each time up to `maxIntervalMs`; while the backend fails, the gap doubles with jitter up to
 * the same cap, subscribers get one event carrying the error, and polling recovers by itself.
 */
export function createHub(options: HubOptions): LiveHub {
  const coordinator = options.coordinator ?? createLocalCoordinator();
  const pollers = new Map<string, BatchPoller>();
  const listPollers = new Map<string, ListPoller>();
  const updateQueues = new Set<{ queue: EventQueue<LiveEvent>; filter: UpdatesFilter }>();
  const lastSeen = new Map<string, string>();
  let disposed = false;

  /** Feeds `batchUpdates` subscribers, once per visible change of a batch. */
  const announce = (event: LiveEvent) => {
    if (event.error) return;
    const key = batchKey(event.batch);
    const print = fingerprint(event.batch);
    if (lastSeen.get(key) === print) return;
    lastSeen.delete(key);
    lastSeen.set(key, print);
    if (lastSeen.size > 10_000) lastSeen.delete(lastSeen.keys().next().value!);
    for (const { queue, filter } of updateQueues) {
      if (filter.backendId && filter.backendId !== event.batch.backendId) continue;
      if (filter.states && filter.states.length > 0 && !filter.states.includes(event.batch.state)) continue;
      queue.push(event);
    }
  };

  const unsubscribeService = options.service.onBatchChanged((batch) => {
    const event: LiveEvent = { batch, terminal: isTerminal(batch.state), error: null };
    announce(event);
    pollers.get(batchKey(batch))?.offer(event);
  });

  class BatchPoller {
    readonly subscribers = new Set<EventQueue<LiveEvent>>();
    last: LiveEvent | null = null;
    private lastPrint = '';
    private timer: NodeJS.Timeout | null = null;
    private unchanged = 0;
    private failures = 0;
    private stopped = false;
    private readonly unsubscribeRemote: () => void;

    constructor(
      readonly key: string,
      readonly backendId: string,
      readonly nativeId: string,
      snapshot: Batch,
    ) {
      this.record({ batch: snapshot, terminal: isTerminal(snapshot.state), error: null });
      this.unsubscribeRemote = coordinator.subscribe(key, (event) => this.deliver(event));
      this.schedule(options.intervalMs);
    }

    /** An event from elsewhere (a mutation here, or the polling replica): deliver if new. */
    offer(event: LiveEvent): void {
      if (fingerprint(event.batch) !== this.lastPrint || (this.last?.error && !event.error)) this.deliver(event);
    }

    private record(event: LiveEvent): void {
      this.last = event;
      this.lastPrint = fingerprint(event.batch);
    }

    private deliver(event: LiveEvent): void {
      this.record(event);
      announce(event);
      for (const queue of this.subscribers) {
        queue.push(event);
        if (event.terminal) queue.end();
      }
      if (event.terminal) this.stop();
    }

    private schedule(delayMs: number): void {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.tick(), delayMs);
      this.timer.unref();
    }

    private async tick(): Promise<void> {
      this.timer = null;
      if (this.stopped) return;
      const leaseMs = Math.max(options.intervalMs, 500) * 2;
      let holder = false;
      try {
        holder = await coordinator.acquire(this.key, leaseMs + this.nextDelay());
      } catch {
        holder = false;
      }
      // Another replica polls this batch; we relay its events and check the lease again later.
      if (!holder) return this.schedule(options.intervalMs);
      try {
        const batch = await options.service.getBatch(this.backendId, this.nativeId, { fresh: true });
        options.onPoll?.('batch', this.key);
        this.failures = 0;
        const print = fingerprint(batch);
        if (print !== this.lastPrint || this.last?.error) {
          this.unchanged = 0;
          const event: LiveEvent = { batch, terminal: isTerminal(batch.state), error: null };
          this.deliver(event);
          void coordinator.publish(this.key, event).catch(() => undefined);
        } else {
          this.unchanged += 1;
        }
      } catch (caught) {
        options.onPoll?.('batch', this.key);
        const error = toGatewayError(caught, this.backendId);
        this.failures += 1;
        if (error.code === ErrorCode.BATCH_NOT_FOUND) {
          // The batch vanished upstream (deleted by someone else): nothing more will come.
          for (const queue of this.subscribers) queue.fail(error);
          this.stop();
          return;
        }
        if (this.last && this.last.error?.code !== error.code) {
          const event: LiveEvent = { batch: this.last.batch, terminal: false, error: liveError(error) };
          this.deliver(event);
          void coordinator.publish(this.key, event).catch(() => undefined);
        }
      }
      this.schedule(this.nextDelay());
    }

    private nextDelay(): number {
      if (this.failures > 0) {
        const backoff = Math.min(options.maxIntervalMs, options.intervalMs * 2 ** Math.min(this.failures, 16));
        return Math.round(backoff * (0.5 + Math.random() / 2));
      }
      if (this.unchanged < IDLE_AFTER) return options.intervalMs;
      return Math.min(options.maxIntervalMs, Math.round(options.intervalMs * 1.5 ** (this.unchanged - IDLE_AFTER + 1)));
    }

    removeSubscriber(queue: EventQueue<LiveEvent>): void {
      this.subscribers.delete(queue);
      if (this.subscribers.size === 0) this.stop();
    }

    stop(): void {
      if (this.stopped) return;
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      this.unsubscribeRemote();
      if (pollers.get(this.key) === this) pollers.delete(this.key);
      void coordinator.release(this.key).catch(() => undefined);
      for (const queue of this.subscribers) queue.end();
    }
  }

  /** Polls one backend's newest batches for `batchUpdates`, announcing what changed since last time. */
  class ListPoller {
    subscribers = 0;
    private previous = new Map<string, string>();
    private timer: NodeJS.Timeout | null = null;
    private stopped = false;
    private failures = 0;
    private readonly unsubscribeRemote: () => void;

    constructor(readonly backendId: string) {
      this.unsubscribeRemote = coordinator.subscribe(`list\u0000${backendId}`, announce);
      void this.tick(true);
    }

    private async tick(baseline = false): Promise<void> {
      this.timer = null;
      if (this.stopped) return;
      const key = `list\u0000${this.backendId}`;
      let holder = false;
      try {
        holder = await coordinator.acquire(key, options.listIntervalMs * 2 + 1000);
      } catch {
        holder = false;
      }
      if (holder) {
        try {
          const result = await options.service.listBatches({ backendId: this.backendId, first: 100 });
          options.onPoll?.('list', this.backendId);
          if (result.errors.length > 0) throw result.errors[0];
          this.failures = 0;
          const next = new Map<string, string>();
          for (const batch of result.items) {
            const print = fingerprint(batch);
            next.set(batchKey(batch), print);
            if (!baseline && this.previous.get(batchKey(batch)) !== print) {
              const event: LiveEvent = { batch, terminal: isTerminal(batch.state), error: null };
              announce(event);
              void coordinator.publish(key, event).catch(() => undefined);
            }
          }
          this.previous = next;
        } catch {
          this.failures += 1;
        }
      }
      if (this.stopped) return;
      const delay = this.failures > 0 ? Math.min(options.maxIntervalMs, options.listIntervalMs * 2 ** Math.min(this.failures, 16)) : options.listIntervalMs;
      this.timer = setTimeout(() => void this.tick(), delay);
      this.timer.unref();
    }

    stop(): void {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      this.unsubscribeRemote();
      void coordinator.release(`list\u0000${this.backendId}`).catch(() => undefined);
    }
  }

  /** First subscribers of a batch share one snapshot read (the service coalesces identical reads). */
  async function pollerFor(backendId: string, nativeId: string): Promise<BatchPoller | LiveEvent> {
    const key = `${backendId}\u0000${nativeId}`;
    const existing = pollers.get(key);
    if (existing?.last) return existing;
    const snapshot = await options.service.getBatch(backendId, nativeId);
    if (isTerminal(snapshot.state)) return { batch: snapshot, terminal: true, error: null };
    const raced = pollers.get(key);
    if (raced) return raced;
    const poller = new BatchPoller(key, backendId, nativeId, snapshot);
    pollers.set(key, poller);
    return poller;
  }

  return {
    async watchBatch(backendId, nativeId) {
      if (disposed) throw new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, 'The gateway is shutting down');
      const found = await pollerFor(backendId, nativeId);
      if (!(found instanceof BatchPoller)) {
        // Arrived after the end: the snapshot is the terminal event.
        const queue = createEventQueue<LiveEvent>({ keyOf: () => 'batch', onClose: () => undefined });
        queue.push(found);
        queue.end();
        return queue;
      }
      const poller = found;
      const queue: EventQueue<LiveEvent> = createEventQueue<LiveEvent>({
        keyOf: () => 'batch',
        onClose: () => poller.removeSubscriber(queue),
      });
      poller.subscribers.add(queue);
      queue.push(poller.last!);
      if (poller.last!.terminal) queue.end();
      return queue;
    },

    watchUpdates(filter) {
      const backendIds = filter.backendId ? [filter.backendId] : [...options.service.backends.keys()];
      const entry = {
        filter,
        queue: createEventQueue<LiveEvent>({
          keyOf: (event) => batchKey(event.batch),
          onClose: () => {
            updateQueues.delete(entry);
            for (const id of backendIds) {
              const poller = listPollers.get(id);
              if (poller && --poller.subscribers === 0) {
                poller.stop();
                listPollers.delete(id);
              }
            }
          },
        }),
      };
      updateQueues.add(entry);
      for (const id of backendIds) {
        let poller = listPollers.get(id);
        if (!poller) {
          poller = new ListPoller(id);
          listPollers.set(id, poller);
        }
        poller.subscribers += 1;
      }
      return entry.queue;
    },

    stats() {
      let subscribers = updateQueues.size;
      for (const poller of pollers.values()) subscribers += poller.subscribers.size;
      return { batchPollers: pollers.size, listPollers: listPollers.size, subscribers };
    },

    async dispose() {
      disposed = true;
      unsubscribeService();
      for (const poller of [...pollers.values()]) poller.stop();
      for (const poller of listPollers.values()) poller.stop();
      listPollers.clear();
      for (const { queue } of [...updateQueues]) queue.end();
      await coordinator.dispose();
    },
  };
}
