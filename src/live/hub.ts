import { ErrorCode, GatewayError } from '../core/errors.js';
import { batchKey, type BatchRef } from '../core/ids.js';
import { isTerminal } from '../core/model.js';
import { BatchPoller, type PollerContext } from './batch-poller.js';
import { createLocalCoordinator } from './coordinator.js';
import { createEventQueue, type EventQueue } from './event-queue.js';
import { leaseKeyOf, listKeyOf } from './keys.js';
import type { HubOptions } from './hub-options.js';
import type { LiveEvent, LiveHub } from './events.js';
import { isGone, lastKnownEvent } from './last-known.js';
import { createUpdatesFanout } from './updates-fanout.js';
import { createVersionGate, observedNow } from './version-gate.js';

/**
 * Turns polls into pushes: a registry of pollers. Every watched batch has one poller
 * (`batch-poller.ts`: leases, poll scheduling, fan-out), shared by all its subscribers on all
 * connections; `batchUpdates` subscribers and their list pollers are `updates-fanout.ts`'s. Every
 * event passes a version gate before fan-out, so nothing older than what a subscriber saw, and
 * nothing twice in a row, reaches it.
 */
export function createHub(options: HubOptions): LiveHub {
  const coordinator = options.coordinator ?? createLocalCoordinator();
  const pollers = new Map<string, BatchPoller>();
  const updates = createUpdatesFanout(options, coordinator);
  const announce = (event: LiveEvent) => updates.announce(event);
  /** Every batch event passes it before fan-out: nothing older, nothing twice (`version-gate.ts`). */
  const batchGate = createVersionGate();
  let disposed = false;
  let eventsRelayed = 0;

  const unsubscribeService = options.service.onBatchChanged((batch) => {
    const event: LiveEvent = { batch, terminal: isTerminal(batch.state), error: null, version: observedNow() };
    announce(event);
    pollers.get(batchKey(batch))?.offer(event);
    if (coordinator.alone) return;
    // Other replicas hear of a start or cancel made here at once, not at their next poll.
    void coordinator.publish(leaseKeyOf(batch), event).catch(() => undefined);
    void coordinator.publish(listKeyOf(batch.backendId), event).catch(() => undefined);
  });

  /**
   * A lease outlives its last renewal by one interval and a half, and is renewed every half
   * interval: one late renewal is tolerated, and a replica that dies loses its batches within about
   * one and a half intervals, which the others notice at their next half-interval check.
   */
  const leaseTtlMs = Math.max(20, Math.round(options.intervalMs * 1.5));
  const heartbeatMs = Math.max(10, Math.round(options.intervalMs / 2));
  const context: PollerContext = { options, coordinator, pollers, announce, gate: batchGate, onRelayed: () => void (eventsRelayed += 1), leaseTtlMs, heartbeatMs };

  /** First subscribers of a batch share one snapshot read (the service coalesces identical reads). */
  async function pollerFor(ref: BatchRef): Promise<BatchPoller | LiveEvent> {
    const key = batchKey(ref);
    const existing = pollers.get(key);
    if (existing?.last) return existing;
    // The backend failing, a batch the gateway records opens with its last known state and the error.
    const first: LiveEvent = await options.service.getBatch(ref).then(
      (batch) => ({ batch, terminal: isTerminal(batch.state), error: null }),
      (caught: unknown) => lastKnownEvent(options.service, ref, caught),
    );
    const snapshot = first.batch;
    if (first.terminal) return first;
    if (isGone(snapshot)) return { batch: snapshot, terminal: true, error: { code: ErrorCode.BATCH_NOT_FOUND, message: snapshot.error!.message, backend: ref.backendId } };
    const raced = pollers.get(key);
    if (raced) return raced;
    const poller = new BatchPoller(context, key, ref, first);
    pollers.set(key, poller);
    return poller;
  }

  return {
    async watchBatch(ref, watchOptions) {
      if (disposed) throw new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, 'The gateway is shutting down');
      const found = await pollerFor(ref);
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
      poller.addSubscriber(queue, watchOptions?.executions === true);
      queue.push(poller.last!);
      if (poller.last!.terminal) queue.end();
      return queue;
    },

    watchUpdates: (filter) => updates.watch(filter),

    stats() {
      let subscribers = updates.subscribers;
      for (const poller of pollers.values()) subscribers += poller.subscribers.size;
      let leasesHeld = 0;
      for (const poller of pollers.values()) if (poller.holdsLease) leasesHeld += 1;
      return { batchPollers: pollers.size, listPollers: updates.listPollers, subscribers, leasesHeld, eventsRelayed };
    },

    async dispose() {
      disposed = true;
      unsubscribeService();
      for (const poller of [...pollers.values()]) poller.stop();
      updates.dispose();
      await coordinator.dispose();
    },
  };
}
