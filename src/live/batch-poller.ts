import { ErrorCode, toGatewayError } from '../core/errors.js';
import type { BatchRef } from '../core/ids.js';
import { isTerminal } from '../core/model.js';
import { withJitter } from '../lib/backoff.js';
import { withDeadline } from '../lib/deadline.js';
import type { Coordinator } from './coordinator.js';
import type { EventQueue } from './event-queue.js';
import type { LiveError, LiveEvent } from './events.js';
import { fingerprint } from './fingerprint.js';
import type { HubOptions } from './hub-options.js';
import { leaseKeyOf } from './keys.js';
import { isGone, liveError } from './last-known.js';
import { nextPollDue, pollDelay } from './poll-schedule.js';
import { observedNow, type VersionGate } from './version-gate.js';

/**
 * Subscribers handed one event per turn of the event loop. Each push starts a subscriber's
 * execute-and-send as a microtask, which runs before timers or sockets get a turn: 10,000 watchers
 * would otherwise hold the loop for the whole fan-out.
 */
const FANOUT_SLICE = 256;

/** What the batch pollers of one hub share. */
export interface PollerContext {
  options: HubOptions;
  coordinator: Coordinator;
  /** The hub's pollers by batch key: a poller removes itself when it stops. */
  pollers: Map<string, BatchPoller>;
  /** Feeds `batchUpdates` subscribers. */
  announce: (event: LiveEvent) => void;
  /** Every event passes it before fan-out (`version-gate.ts`). */
  gate: VersionGate;
  /** Counts an event received from another replica (`batchgate_live_events_relayed_total`). */
  onRelayed: () => void;
  /** How long a lease outlives its last renewal (see the hub). */
  leaseTtlMs: number;
  /** How often the lease is renewed or sought. */
  heartbeatMs: number;
}

/**
 * One batch's poller, shared by all its subscribers on all connections, from the first to the last
 * or the batch's end. With Redis only the lease holder (`heartbeat`) polls and publishes; the others
 * relay. Each poll is planned after the previous answered, from when it was due (`nextPollDue`),
 * the first at random in the first interval. A failing backend gives one event with the error.
 */
export class BatchPoller {
  readonly subscribers = new Set<EventQueue<LiveEvent>>();
  /** Subscribers that read executions: while there are none, polls are summary reads. */
  private readonly executionReaders = new Set<EventQueue<LiveEvent>>();
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
   * Until when the lease is surely still ours, by our clock (counted from before the renewal was
   * asked for): a holder whose renewals are late must not poll after it.
   */
  private heldUntil = Infinity;
  private unchanged = 0;
  private failures = 0;
  private stopped = false;
  private readonly leaseKey: string;
  private readonly unsubscribeRemote: () => void;

  constructor(
    private readonly ctx: PollerContext,
    readonly key: string,
    readonly ref: BatchRef,
    first: LiveEvent,
  ) {
    this.leaseKey = leaseKeyOf(ref);
    this.ctx.gate.admit(key, first);
    this.record(first);
    this.unsubscribeRemote = this.ctx.coordinator.subscribe(this.leaseKey, (event) => {
      this.ctx.onRelayed();
      this.offer(event);
    });
    if (this.ctx.coordinator.alone) {
      this.holder = true;
      this.schedulePoll(withJitter(this.ctx.options.intervalMs, 0.25));
    } else {
      void this.heartbeat();
    }
  }

  /** True while this replica holds the batch's lease in Redis (polls it for every replica). */
  get holdsLease(): boolean { return this.holder && !this.ctx.coordinator.alone; }

  /** An event from elsewhere (a mutation here, or the polling replica): delivered if the gate admits it. */
  offer(event: LiveEvent): void {
    this.lastNewsAt = Date.now();
    this.deliver(event);
  }

  private record(event: LiveEvent): void {
    [this.last, this.lastPrint] = [event, fingerprint(event.batch)];
  }

  /** Fans the event out if the gate admits it; false when it was behind or a repeat. */
  private deliver(event: LiveEvent): boolean {
    if (!this.ctx.gate.admit(this.key, event)) return false;
    this.record(event);
    this.ctx.announce(event);
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
    return true;
  }

  /** The backend no longer knows the batch: the last state seen, with why, is its final event and record. */
  private async end(error: LiveError): Promise<void> {
    const batch = { ...this.last!.batch, error: { code: error.code, message: error.message } };
    // Recorded before anyone is told, so a read right after the final event sees it.
    await this.ctx.options.service.keepLastKnown(batch).catch(() => undefined);
    if (!this.stopped) this.share({ batch, terminal: true, error, version: observedNow() });
  }

  /** Polls here, and tells the other replicas. */
  private share(event: LiveEvent): void {
    if (this.deliver(event)) void this.ctx.coordinator.publish(this.leaseKey, event).catch(() => undefined);
  }

  /**
   * Takes or renews the lease every half interval, whether or not this replica polls: the holder
   * keeps it while its polls are slow or spaced out, and the others find it free soon after the
   * holder stops or dies. Gaining it starts the poll loop (at once if nothing was heard for an
   * interval, else one interval later); losing it (another replica took over) stops the loop.
   */
  private async heartbeat(): Promise<void> {
    this.leaseTimer = null;
    if (this.stopped) return;
    let held: boolean;
    let uncoordinated = false;
    const asked = Date.now();
    try {
      held = await withDeadline(this.ctx.coordinator.acquire(this.leaseKey, this.ctx.leaseTtlMs), Math.max(this.ctx.leaseTtlMs, 1000));
    } catch {
      // Redis unreachable or slower than a lease: each replica polls for its own subscribers until
      // it answers again. More upstream load for a while, but nobody's progress stops.
      held = true;
      uncoordinated = true;
    }
    if (this.stopped) {
      if (held) void this.ctx.coordinator.release(this.leaseKey).catch(() => undefined);
      return;
    }
    const gained = held && !this.holder;
    this.holder = held;
    this.heldUntil = uncoordinated ? Infinity : held ? asked + this.ctx.leaseTtlMs : 0;
    if (gained && !this.pollTimer && !this.polling) {
      // Silent for an interval: the previous holder is gone, poll at once. Otherwise it was alive
      // a moment ago and may have a poll out that we have not heard of yet: wait a whole interval
      // rather than poll the batch twice in a row.
      this.schedulePoll(Date.now() - this.lastNewsAt >= this.ctx.options.intervalMs ? 0 : this.ctx.options.intervalMs);
    }
    if (!held && this.pollTimer) {
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }
    this.leaseTimer = setTimeout(() => void this.heartbeat(), this.ctx.heartbeatMs);
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
      const summary = this.executionReaders.size === 0;
      const batch = await this.ctx.options.service.getBatch(this.ref, { fresh: true, summary });
      this.ctx.options.onPoll?.('batch', this.key);
      this.failures = 0;
      this.lastNewsAt = Date.now();
      if (this.stopped) return;
      if (isGone(batch)) {
        // The backend forgot it; the service answered the gateway's record: nothing more will come.
        await this.end({ code: ErrorCode.BATCH_NOT_FOUND, message: batch.error!.message, backend: this.ref.backendId });
        return;
      }
      if (fingerprint(batch) !== this.lastPrint || this.last?.error) {
        this.unchanged = 0;
        this.share({ batch, terminal: isTerminal(batch.state), error: null, version: observedNow() });
      } else {
        this.unchanged += 1;
      }
    } catch (caught) {
      this.ctx.options.onPoll?.('batch', this.key);
      if (this.stopped) return;
      const error = toGatewayError(caught, this.ref.backendId);
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
   * Redis mode: the lease must still be ours in Redis (after a stall our clock cannot tell), and no
   * replica may have polled within three quarters of an interval. A refused turn schedules what
   * comes next and answers false. Redis unreachable: poll anyway (see `heartbeat`).
   */
  private async claimTurn(): Promise<boolean> {
    if (this.ctx.coordinator.alone || !this.ctx.coordinator.claimPoll) return true;
    let turn: 'poll' | 'not-holder' | number;
    try {
      turn = await withDeadline(this.ctx.coordinator.claimPoll(this.leaseKey, this.ctx.options.intervalMs * 0.75), Math.max(this.ctx.leaseTtlMs, 1000));
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
    return pollDelay({ failures: this.failures, unchanged: this.unchanged, intervalMs: this.ctx.options.intervalMs, maxIntervalMs: this.ctx.options.maxIntervalMs });
  }

  addSubscriber(queue: EventQueue<LiveEvent>, readsExecutions: boolean): void {
    this.subscribers.add(queue);
    if (readsExecutions) this.executionReaders.add(queue);
  }

  removeSubscriber(queue: EventQueue<LiveEvent>): void {
    this.subscribers.delete(queue);
    this.executionReaders.delete(queue);
    if (this.subscribers.size === 0) this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.unsubscribeRemote();
    if (this.ctx.pollers.get(this.key) === this) this.ctx.pollers.delete(this.key);
    // Frees the batch for another replica at once (a no-op unless this replica holds it).
    if (!this.ctx.coordinator.alone) void this.ctx.coordinator.release(this.leaseKey).catch(() => undefined);
    for (const queue of this.subscribers) queue.end();
  }
}
