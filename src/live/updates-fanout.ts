import { batchKey } from '../core/ids.js';
import type { Coordinator } from './coordinator.js';
import { createEventQueue, type EventQueue } from './event-queue.js';
import type { LiveEvent, UpdatesFilter } from './events.js';
import { ListPoller, type ListPollerDeps } from './list-poller.js';
import { createVersionGate } from './version-gate.js';

/** The `batchUpdates` side of a hub: its subscribers, and one list poller per watched backend. */
export interface UpdatesFanout {
  /** Feeds `batchUpdates` subscribers, once per visible change of a batch (errors are not news here). */
  announce(event: LiveEvent): void;
  /** Every change of a batch matching the filter; starts the list pollers of the backends it covers. */
  watch(filter: UpdatesFilter): EventQueue<LiveEvent>;
  readonly subscribers: number;
  readonly listPollers: number;
  /** Stops the list pollers and ends every stream. */
  dispose(): void;
}

export function createUpdatesFanout(options: Pick<ListPollerDeps, 'service' | 'listIntervalMs' | 'maxIntervalMs' | 'onPoll'>, coordinator: Coordinator): UpdatesFanout {
  const listPollers = new Map<string, ListPoller>();
  const watchers = new Set<{ queue: EventQueue<LiveEvent>; filter: UpdatesFilter }>();
  /** Nothing older, nothing twice, whichever poller or replica saw the change first (`version-gate.ts`). */
  const gate = createVersionGate();

  const announce = (event: LiveEvent) => {
    if (event.error || !gate.admit(batchKey(event.batch), event)) return;
    for (const { queue, filter } of watchers) {
      if (filter.backendId && filter.backendId !== event.batch.backendId) continue;
      if (filter.states && filter.states.length > 0 && !filter.states.includes(event.batch.state)) continue;
      queue.push(event);
    }
  };

  /** Counts a subscriber of each backend, starting its list poller with the first. */
  const join = (backendIds: readonly string[]) => {
    for (const id of backendIds) {
      let poller = listPollers.get(id);
      if (!poller) {
        poller = new ListPoller(id, { coordinator, service: options.service, announce, listIntervalMs: options.listIntervalMs, maxIntervalMs: options.maxIntervalMs, onPoll: options.onPoll });
        listPollers.set(id, poller);
      }
      poller.subscribers += 1;
    }
  };

  /** Stops the list poller of each backend whose last subscriber this was. */
  const leave = (backendIds: readonly string[]) => {
    for (const id of backendIds) {
      const poller = listPollers.get(id);
      if (poller && --poller.subscribers === 0) {
        poller.stop();
        listPollers.delete(id);
      }
    }
  };

  return {
    announce,
    watch(filter) {
      const backendIds = filter.backendId ? [filter.backendId] : [...options.service.backends.keys()];
      const entry = {
        filter,
        queue: createEventQueue<LiveEvent>({
          keyOf: (event) => batchKey(event.batch),
          onClose: () => {
            watchers.delete(entry);
            leave(backendIds);
          },
        }),
      };
      watchers.add(entry);
      join(backendIds);
      return entry.queue;
    },
    get subscribers() {
      return watchers.size;
    },
    get listPollers() {
      return listPollers.size;
    },
    dispose() {
      for (const poller of listPollers.values()) poller.stop();
      listPollers.clear();
      for (const { queue } of [...watchers]) queue.end();
    },
  };
}
