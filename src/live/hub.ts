import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import { isTerminal, type Batch } from '../core/model.js';
import type { BatchService } from '../service/batch-service.js';
import { createLocalCoordinator, type Coordinator } from './coordinator.js';
import { createEventQueue, type EventQueue } from './event-queue.js';
import { fingerprint } from './fingerprint.js';
import { batchKey, leaseKeyOf, listKeyOf, withDeadline } from './keys.js';
import { ListPoller } from './list-poller.js';
import { nextPollDue } from './poll-schedule.js';
import type { LiveError, LiveEvent, LiveHub, UpdatesFilter } from './events.js';
import { lastKnownEvent, liveError } from './last-known.js';
import { createVersionGate, observedNow } from './version-gate.js';

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
/**
 * Subscribers handed one event per turn of the event loop. Each push starts a subscriber's
 * execute-and-send in the microtask queue, which runs to the end before timers or sockets get a
 * turn: a batch with 10,000 watchers would otherwise hold the loop for the whole fan-out.
 */
const FANOUT_SLICE = 256;

/** A batch the backend no longer knows, answered from the gateway's records: its state is final. */
const isGone = (batch: Batch): boolean => !isTerminal(batch.state) && batch.error?.code === ErrorCode.BATCH_NOT_FOUND;

/**
 * Turns polls into pushes. Every watched batch has one poller, shared by all its subscribers on all
 * connections: started by the first, stopped after the last leaves or when the batch ends. With a
 * Redis coordinator, only the replica holding a batch's lease polls it; the others relay its events.
 *
 * Leases (Redis mode): every replica watching a batch renews or tries to take its lease every half
 * interval; the holder polls and publishes, the others relay. See `heartbeat` below.
 *
 * Scheduling: a poll is planned only after the previous one answered (never two in flight for one
 * batch), from when the previous poll was *due* rather than when its answer came (`nextPollDue`:
 * round trips and event-loop lag do not stretch the period). A batch's first poll comes at a random
 * point of its first interval, so batches watched at the same moment do not poll (and fan out) in
 * lockstep. While the batch changes, polls come every `intervalMs`; after `IDLE_AFTER` unchanged
 * polls the gap grows by half each time up to `maxIntervalMs`; while the backend fails, the gap
 * doubles with jitter up to the same cap, subscribers get one event carrying the error, and polling
 * recovers by itself.
 */
export function createHub(options: HubOptions): LiveHub {
  const coordinator = options.coordinator ?? createLocalCoordinator();
  const pollers = new Map<string, BatchPoller>();
  const listPollers = new Map<string, ListPoller>();
  const updateQueues = new Set<{ queue: EventQueue<LiveEvent>; filter: UpdatesFilter }>();
  /** Every event passes one of these before fan-out: nothing older, nothing twice (`version-gate.ts`). */
  const batchGate = createVersionGate();
  const updatesGate = createVersionGate();
  let disposed = false;

  /** Feeds `batchUpdates` subscribers, once per visible change of a batch. */
  const announce = (event: LiveEvent) => {
    if (event.error || !updatesGate.admit(batchKey(event.batch), event)) return;
    for (const { queue, filter } of updateQueues) {
      if (filter.backendId && filter.backendId !== event.batch.backendId) continue;
      if (filter.states && filter.states.length > 0 && !filter.states.includes(event.batch.state)) continue;
      queue.push(event);
    }
  };

  const unsubscribeService = options.service.onBatchChanged((batch) => {
    const event: LiveEvent = { batch, terminal: isTerminal(batch.state), error: null, version: observedNow() };
    announce(event);
    pollers.get(batchKey(batch))?.offer(event);
    if (coordinator.alone) return;
    // Other replicas hear of a start or cancel made here at once, not at their next poll.
    void coordinator.publish(leaseKeyOf(batch.backendId, batch.nativeId), event).catch(() => undefined);
    void coordinator.publish(listKeyOf(batch.backendId), event).catch(() => undefined);
  });

  /**
   * A lease outlives its last renewal by one interval and a half, and is renewed every half
   * interval: one late renewal is tolerated, and a replica that dies loses its batches within about
   * one and a half intervals, which the others notice at their next half-interval check.
   */
  const leaseTtlMs = Math.max(20, Math.round(options.intervalMs * 1.5));
  const heartbeatMs = Math.max(10, Math.round(options.intervalMs / 2));

  class BatchPoller {
    readonly subscribers = new Set<EventQueue<LiveEvent>>();
    last: LiveEvent | null = null;
    private lastPrint = '';
    /** When this replica last learnt the batch's state (its own poll, a mutation, or a relayed event). */
    private lastNewsAt = Date.now();
    private pollTimer: NodeJS.Timeout | null = null;
    /** When the next (or running) poll was due: the next one is planned from here. */
    private dueAt = 0;
    /** Bumped by every fan-out: a sliced fan-out still running for an older event gives way. */
    private generation = 0;
    /** A terminal event is being fanned out: no more polls, stop once every subscriber has it. */
    private ending = false;
    private leaseTimer: NodeJS.Timeout | null = null;
    private polling = false;
    private holder = false;
    /**
     * Until when this replica's lease is surely still its own, by its own clock: counted from
     * before the renewal was asked for, so it ends no later than the lease in Redis. A holder whose
     * renewals are late must not poll after it: another replica may already have taken the batch.
     */
    private heldUntil = Infinity;
    private unchanged = 0;
    private failures = 0;
    private stopped = false;
    private readonly leaseKey: string;
    private readonly unsubscribeRemote: () => void;

    constructor(
      readonly key: string,
      readonly backendId: string,
      readonly nativeId: string,
      first: LiveEvent,
    ) {
      this.leaseKey = leaseKeyOf(backendId, nativeId);
      batchGate.admit(key, first);
      this.record(first);
      this.unsubscribeRemote = coordinator.subscribe(this.leaseKey, (event) => this.offer(event));
      if (coordinator.alone) {
        this.holder = true;
        this.schedulePoll(Math.round(options.intervalMs * (0.25 + Math.random() * 0.75)));
      } else {
        void this.heartbeat();
      }
    }

    /** An event from elsewhere (a mutation here, or the polling replica): delivered if the gate admits it. */
    offer(event: LiveEvent): void {
      this.lastNewsAt = Date.now();
      this.deliver(event);
    }

    private record(event: LiveEvent): void {
      this.last = event;
      this.lastPrint = fingerprint(event.batch);
    }

    private deliver(event: LiveEvent): void {
      if (!batchGate.admit(this.key, event)) return;
      this.record(event);
      announce(event);
      if (event.terminal) this.ending = true;
      const generation = ++this.generation;
      const queues = [...this.subscribers];
      const slice = (from: number) => {
        // A newer event started its own pass over everyone; those not reached yet get only that one.
        if (generation !== this.generation) return;
        const newest = this.last!;
        const to = Math.min(queues.length, from + FANOUT_SLICE);
        for (let i = from; i < to; i += 1) {
          queues[i]!.push(newest);
          if (newest.terminal) queues[i]!.end();
        }
        if (to < queues.length) setImmediate(slice, to);
        else if (this.ending) this.stop();
      };
      slice(0);
    }

    /** The backend no longer knows the batch: the last state seen, with why, is its final event and record. */
    private async end(error: LiveError): Promise<void> {
      const batch = { ...this.last!.batch, error: { code: error.code, message: error.message } };
      // Recorded before anyone is told, so a read right after the final event sees it.
      await options.service.keepLastKnown(batch).catch(() => undefined);
      if (!this.stopped) this.share({ batch, terminal: true, error, version: observedNow() });
    }

    /** Polls here, and tells the other replicas. */
    private share(event: LiveEvent): void {
      this.deliver(event);
      void coordinator.publish(this.leaseKey, event).catch(() => undefined);
    }

    /**
     * Takes or renews the lease every half interval, whether or not this replica polls: the
     * holder keeps it while its polls are slow or spaced out (idle, backing off), and the others
     * find it free soon after the holder stops or dies. Gaining it starts the poll loop: at once
     * if nothing was heard for an interval (the previous holder died mid-run), else one interval
     * later; losing it (a
     * renewal came too late and another replica took over) stops the loop.
     */
    private async heartbeat(): Promise<void> {
      this.leaseTimer = null;
      if (this.stopped) return;
      let held = false;
      let uncoordinated = false;
      const asked = Date.now();
      try {
        held = await withDeadline(coordinator.acquire(this.leaseKey, leaseTtlMs), Math.max(leaseTtlMs, 1000));
      } catch {
        // Redis unreachable (or slower than a lease): no replica can coordinate, so each polls for
        // its own subscribers until Redis answers again. More upstream load for a while, but
        // nobody's progress stops.
        held = true;
        uncoordinated = true;
      }
      if (this.stopped) {
        if (held) void coordinator.release(this.leaseKey).catch(() => undefined);
        return;
      }
      const gained = held && !this.holder;
      this.holder = held;
      this.heldUntil = uncoordinated ? Infinity : held ? asked + leaseTtlMs : 0;
      if (gained && !this.pollTimer && !this.polling) {
        // Silent for an interval: the previous holder is gone, poll at once. Otherwise it was alive
        // a moment ago and may have a poll out that we have not heard of yet: wait a whole interval
        // rather than poll the batch twice in a row.
        this.schedulePoll(Date.now() - this.lastNewsAt >= options.intervalMs ? 0 : options.intervalMs);
      }
      if (!held && this.pollTimer) {
        clearTimeout(this.pollTimer);
        this.pollTimer = null;
      }
      this.leaseTimer = setTimeout(() => void this.heartbeat(), heartbeatMs);
      this.leaseTimer.unref();
    }

    /** Plans the next poll: `delayMs` after the previous one was due (see `nextPollDue`), or from now. */
    private schedulePoll(delayMs: number, previous?: { dueAt: number; startedAt: number }): void {
      if (this.stopped || this.ending || !this.holder) return;
      const now = Date.now();
      const due = previous ? nextPollDue({ delayMs, previousDueAt: previous.dueAt, previousStartedAt: previous.startedAt, now }) : now + delayMs;
      this.dueAt = due;
      this.pollTimer = setTimeout(() => void this.poll(), Math.max(0, due - now));
      this.pollTimer.unref();
    }

    private async poll(): Promise<void> {
      this.pollTimer = null;
      if (this.stopped || this.ending || !this.holder) return;
      if (Date.now() >= this.heldUntil) {
        // The lease may have passed to another replica: the next heartbeat tells, and restarts polls if not.
        this.holder = false;
        return;
      }
      const dueAt = this.dueAt;
      const startedAt = Date.now();
      this.polling = true;
      try {
        if (!(await this.claimTurn())) return;
        const batch = await options.service.getBatch(this.backendId, this.nativeId, { fresh: true });
        options.onPoll?.('batch', this.key);
        this.failures = 0;
        this.lastNewsAt = Date.now();
        if (this.stopped) return;
        if (isGone(batch)) {
          // The backend forgot it; the service answered the gateway's record: nothing more will come.
          await this.end({ code: ErrorCode.BATCH_NOT_FOUND, message: batch.error!.message, backend: this.backendId });
          return;
        }
        if (fingerprint(batch) !== this.lastPrint || this.last?.error) {
          this.unchanged = 0;
          this.share({ batch, terminal: isTerminal(batch.state), error: null, version: observedNow() });
        } else {
          this.unchanged += 1;
        }
      } catch (caught) {
        options.onPoll?.('batch', this.key);
        if (this.stopped) return;
        const error = toGatewayError(caught, this.backendId);
        this.failures += 1;
        if (error.code === ErrorCode.BATCH_NOT_FOUND) {
          // The batch vanished upstream (deleted by someone else): nothing more will come. The last
          // state seen ends the stream, with why.
          await this.end(liveError(error));
          return;
        }
        // One event per kind of failure, not one per failed poll; the stream stays open.
        if (this.last && this.last.error?.code !== error.code) {
          this.share({ batch: this.last.batch, terminal: false, error: liveError(error), version: observedNow() });
        }
      } finally {
        this.polling = false;
      }
      this.schedulePoll(this.nextDelay(), { dueAt, startedAt });
    }

    /**
     * Redis mode: the lease must still be ours where it lives, and no replica may have polled the
     * batch within three quarters of an interval. Our clock alone cannot tell after a stall: the
     * lease may have passed to a replica that has polled meanwhile. A refused turn schedules what
     * comes next itself and answers false. Redis unreachable: poll anyway (see `heartbeat`).
     */
    private async claimTurn(): Promise<boolean> {
      if (coordinator.alone || !coordinator.claimPoll) return true;
      let turn: 'poll' | 'not-holder' | number;
      try {
        turn = await withDeadline(coordinator.claimPoll(this.leaseKey, options.intervalMs * 0.75), Math.max(leaseTtlMs, 1000));
      } catch {
        return true;
      }
      if (this.stopped) return false;
      if (turn === 'poll') return true;
      if (turn === 'not-holder') {
        // The next heartbeat learns who holds the batch, and restarts our polls if it is us again.
        this.holder = false;
        return false;
      }
      this.schedulePoll(turn);
      return false;
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
      if (this.pollTimer) clearTimeout(this.pollTimer);
      if (this.leaseTimer) clearTimeout(this.leaseTimer);
      this.unsubscribeRemote();
      if (pollers.get(this.key) === this) pollers.delete(this.key);
      // Frees the batch for another replica at once (a no-op unless this replica holds it).
      if (!coordinator.alone) void coordinator.release(this.leaseKey).catch(() => undefined);
      for (const queue of this.subscribers) queue.end();
    }
  }

  /** First subscribers of a batch share one snapshot read (the service coalesces identical reads). */
  async function pollerFor(backendId: string, nativeId: string): Promise<BatchPoller | LiveEvent> {
    const key = batchKey({ backendId, nativeId });
    const existing = pollers.get(key);
    if (existing?.last) return existing;
    // The backend failing, a batch the gateway records opens with its last known state and the error.
    const first: LiveEvent = await options.service.getBatch(backendId, nativeId).then(
      (batch) => ({ batch, terminal: isTerminal(batch.state), error: null }),
      (caught: unknown) => lastKnownEvent(options.service, backendId, nativeId, caught),
    );
    const snapshot = first.batch;
    if (first.terminal) return first;
    if (isGone(snapshot)) return { batch: snapshot, terminal: true, error: { code: ErrorCode.BATCH_NOT_FOUND, message: snapshot.error!.message, backend: backendId } };
    const raced = pollers.get(key);
    if (raced) return raced;
    const poller = new BatchPoller(key, backendId, nativeId, first);
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
          poller = new ListPoller(id, { coordinator, service: options.service, announce, listIntervalMs: options.listIntervalMs, maxIntervalMs: options.maxIntervalMs, onPoll: options.onPoll });
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
